-- Block ranges a load fills are summarised as soon as they are complete
-- (autovacuum does it in the background), and the importer summarises the
-- rest after each commit: an unsummarised range is read by every query of
-- every month.

-- dialect: postgres
ALTER INDEX business_records_month SET (autosummarize = on);
