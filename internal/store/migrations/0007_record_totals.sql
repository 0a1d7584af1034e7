-- The month's business records summed per credited manager, unit, record
-- type, product and share: what the monthly statistics read instead of the
-- records themselves (decision 0012). Every write of business_records
-- through the store (load, replace, re-credit) updates it in the same
-- transaction; the sums are plain (fen, thousandths), the share is a key,
-- so they stay exact integers and the share is applied when read.
CREATE TABLE record_month_totals (
    institution_id BIGINT NOT NULL,
    month          INTEGER NOT NULL,         -- YYYYMM
    person_id      BIGINT NOT NULL,          -- 0: credited to nobody
    unit_id        BIGINT NOT NULL,
    record_type    TEXT NOT NULL,
    product        TEXT NOT NULL,
    share_bp       INTEGER NOT NULL,
    rows_n         BIGINT NOT NULL,
    amount         BIGINT NOT NULL,          -- Σ fen
    quantity       BIGINT NOT NULL,          -- Σ thousandths
    PRIMARY KEY (institution_id, month, person_id, unit_id, record_type, product, share_bp)
);

INSERT INTO record_month_totals (institution_id, month, person_id, unit_id, record_type, product, share_bp, rows_n, amount, quantity)
SELECT institution_id, month, COALESCE(person_id, 0), unit_id, record_type, product, share_bp, COUNT(*), SUM(amount), SUM(quantity)
FROM business_records
GROUP BY institution_id, month, COALESCE(person_id, 0), unit_id, record_type, product, share_bp;
