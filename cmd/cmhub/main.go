// Command cmhub is the customer-manager system: one binary that serves the
// API and UI, migrates the database, bootstraps users, loads the demo,
// backs up and verifies the audit chain.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/app"
	"cmhub/internal/audit"
	"cmhub/internal/auth"
	"cmhub/internal/platform"
	"cmhub/presets"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `cmhub — 客户经理管理系统 customer-manager system

usage:
  cmhub serve   [--addr :8080] [--data-dir data] [--db URL] [--demo]   start the server
  cmhub demo    [--addr :8080]                                      same as serve --demo
  cmhub migrate [--db URL]                                          apply database migrations
  cmhub user add --username NAME [--admin] [--person EMPNO]         add a user (password from CMHUB_PASSWORD or stdin)
  cmhub backup  --out FILE [--db URL]                               consistent copy of a SQLite database
  cmhub audit verify [--db URL]                                     check the audit hash chain
  cmhub gen     --managers N --customers M [--records R --month YYYY-MM] [--teams-per-region T --groups-per-team G] [--code GEN] [--db URL]  a synthetic institution for benchmarks
  cmhub gen-records --month YYYY-MM --records N --customers M --out F.csv   synthetic business records for it
  cmhub import-records --institution CODE --month YYYY-MM --file F [--mode valid_rows] [--db URL]   import business records
  cmhub bench-import --institution CODE --month YYYY-MM --file F [--db URL]   time an import against the engine's raw bulk load
  cmhub version

Environment: CMHUB_ADDR, CMHUB_DATA_DIR, CMHUB_DATABASE_URL, CMHUB_SESSION_SECRET, CMHUB_MEMORY_LIMIT (default 900MiB; "off").
The database URL is a SQLite file path (default <data-dir>/cmhub.db) or postgres://…
`

func main() {
	if err := setMemoryLimit(); err != nil {
		fmt.Fprintln(os.Stderr, "cmhub:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cmhub:", err)
		var ec exitCode
		if errors.As(err, &ec) {
			os.Exit(int(ec))
		}
		os.Exit(1)
	}
}

// defaultMemoryLimit is the garbage collector's soft target for the whole
// process. A ten-million-record import holds about 750 MiB of indexes; with
// Go's default of collecting when the heap has doubled, its garbage would
// take the process to 1.6 GiB; at 900 MiB of Go heap the process stays
// under 1 GiB. The limit is soft: above it the collector works harder (at
// most half the CPU), nothing fails.
const defaultMemoryLimit = 900 << 20

// setMemoryLimit applies CMHUB_MEMORY_LIMIT (bytes, or with a KiB, MiB or
// GiB suffix; "off" for none), else 900 MiB, unless the operator set Go's
// own GOMEMLIMIT, which the runtime has applied already.
func setMemoryLimit() error {
	if os.Getenv("GOMEMLIMIT") != "" {
		return nil
	}
	v := os.Getenv("CMHUB_MEMORY_LIMIT")
	if v == "off" {
		return nil
	}
	limit := int64(defaultMemoryLimit)
	if v != "" {
		n, err := parseBytes(v)
		if err != nil {
			return fmt.Errorf("CMHUB_MEMORY_LIMIT=%q: %w", v, err)
		}
		limit = n
	}
	debug.SetMemoryLimit(limit)
	return nil
}

// parseBytes reads "512MiB", "2GiB", "900000000".
func parseBytes(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.m
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		return 0, errors.New("want a positive number of bytes, optionally with KiB, MiB or GiB")
	}
	return n * mult, nil
}

type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// common flags for commands that open the database.
type dbFlags struct{ dataDir, db string }

func (d *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.dataDir, "data-dir", env("CMHUB_DATA_DIR", "data"), "data directory")
	fs.StringVar(&d.db, "db", env("CMHUB_DATABASE_URL", ""), "database URL: SQLite file path or postgres://… (default <data-dir>/cmhub.db)")
}

func (d *dbFlags) url() string {
	return app.Config{DataDir: d.dataDir, DatabaseURL: d.db}.DatabaseOrDefault()
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return exitCode(2)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve", "demo":
		fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
		var d dbFlags
		d.register(fs)
		addr := fs.String("addr", env("CMHUB_ADDR", ":8080"), "listen address")
		demo := fs.Bool("demo", cmd == "demo", "start with a fresh demo branch (no setup needed)")
		demoPw := fs.String("demo-password", "", "password of every demo account (default: random, printed at start)")
		insecure := fs.Bool("insecure-cookies", false, "drop the Secure cookie flag (plain HTTP on a non-localhost address; not for production)")
		if err := fs.Parse(rest); err != nil {
			return exitCode(2)
		}
		cfg := app.Config{Addr: *addr, DatabaseURL: d.db, SessionSecret: os.Getenv("CMHUB_SESSION_SECRET"), Demo: *demo,
			DemoPassword: *demoPw, InsecureCookies: *insecure, Version: version}
		if !*demo || setFlag(fs, "data-dir") {
			cfg.DataDir = d.dataDir
		}
		return app.Serve(ctx, cfg, log, nil)
	case "migrate":
		fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
		var d dbFlags
		d.register(fs)
		if err := fs.Parse(rest); err != nil {
			return exitCode(2)
		}
		db, err := app.OpenStore(ctx, d.url())
		if err != nil {
			return err
		}
		defer func() { _ = db.Close() }()
		fmt.Fprintln(stdout, "migrations applied:", string(db.Engine()))
		return nil
	case "user":
		if len(rest) == 0 || rest[0] != "add" {
			return fmt.Errorf("usage: cmhub user add --username NAME [--admin] [--person EMPNO]")
		}
		return userAdd(ctx, rest[1:], stdin, stdout)
	case "backup":
		fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
		var d dbFlags
		d.register(fs)
		out := fs.String("out", "", "backup file to create (default <data-dir>/backup-<time>.db)")
		if err := fs.Parse(rest); err != nil {
			return exitCode(2)
		}
		if *out == "" {
			*out = filepath.Join(d.dataDir, "backup-"+time.Now().UTC().Format("20060102-150405")+".db")
		}
		db, err := app.OpenStore(ctx, d.url())
		if err != nil {
			return err
		}
		defer func() { _ = db.Close() }()
		if err := db.Backup(ctx, *out); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "backup written:", *out)
		return nil
	case "audit":
		if len(rest) == 0 || rest[0] != "verify" {
			return fmt.Errorf("usage: cmhub audit verify [--db URL]")
		}
		fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
		var d dbFlags
		d.register(fs)
		if err := fs.Parse(rest[1:]); err != nil {
			return exitCode(2)
		}
		db, err := app.OpenStore(ctx, d.url())
		if err != nil {
			return err
		}
		defer func() { _ = db.Close() }()
		n, problem, err := audit.Verify(ctx, db)
		if err != nil {
			return err
		}
		if problem != nil {
			fmt.Fprintf(stdout, "BROKEN: %s (%d entries before it are intact)\n", problem.Error(), n)
			return exitCode(1)
		}
		fmt.Fprintf(stdout, "OK: %d audit entries, chain intact\n", n)
		return nil
	case "gen":
		fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
		var d dbFlags
		d.register(fs)
		var o app.GenOptions
		fs.IntVar(&o.Managers, "managers", 1000, "sales customer managers")
		fs.IntVar(&o.Customers, "customers", 100000, "customers, spread evenly over the managers")
		fs.IntVar(&o.TeamsPerRegion, "teams-per-region", 4, "teams in a region")
		fs.IntVar(&o.GroupsPerTeam, "groups-per-team", 5, "groups of 10 managers in a team")
		fs.StringVar(&o.Code, "code", "GEN", "institution code")
		fs.StringVar(&o.Preset, "preset", "securities-branch", "institution preset: "+strings.Join(presets.Names(), ", "))
		records := fs.Int("records", 0, "business records to generate and import into --month (0: none)")
		month := fs.String("month", "", "the month of the generated records, YYYY-MM (default: last month)")
		if err := fs.Parse(rest); err != nil {
			return exitCode(2)
		}
		if *records < 0 {
			fmt.Fprintln(os.Stderr, "gen: --records must not be negative")
			return exitCode(2)
		}
		db, err := app.OpenStore(ctx, d.url())
		if err != nil {
			return err
		}
		defer func() { _ = db.Close() }()
		s := app.NewServices(db, platform.SystemClock{}, auth.Config{Secret: []byte("cli-never-signs-sessions-0000000000")})
		info, err := app.Generate(ctx, s, o, func(stage string) { fmt.Fprintln(stdout, "  loaded", stage) })
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "institution %s: %d branches, %d regions, %d teams, %d groups, %d people, %d customers, %d forms in %s\n",
			o.Code, info.Branches, info.Regions, info.Teams, info.Groups, info.People, info.Customers, info.Forms, info.Took.Round(time.Millisecond))
		if *records > 0 {
			if err := genRecords(ctx, s, o, *records, *month, d, stdout); err != nil {
				return err
			}
		}
		fmt.Fprintln(stdout, "add a user to look at it: cmhub user add --admin --institution", o.Code, "--username …")
		return nil
	case "import-records":
		var f fileFlags
		fs := f.register(cmd, "the month imported, YYYY-MM")
		mode := fs.String("mode", "all_or_nothing", "all_or_nothing or valid_rows")
		cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the import to this file (for a slow import)")
		s, closeDB, err := f.open(ctx, fs, rest)
		if err != nil {
			return err
		}
		defer closeDB()
		if *cpuProfile != "" {
			stop, err := startCPUProfile(*cpuProfile)
			if err != nil {
				return err
			}
			defer stop()
		}
		start := time.Now()
		out, err := app.ImportRecordsFile(ctx, s, f.code, f.file, f.month, *mode)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(out.Result)
		fmt.Fprintf(stdout, "%s: %s\n%s\ntook %s\n", out.Status, out.Message, b, time.Since(start).Round(time.Millisecond))
		for _, e := range out.Errors {
			fmt.Fprintf(stdout, "  row %d, %s: %s\n", e.Row, e.Column, e.Message)
		}
		if out.Status != "succeeded" {
			return exitCode(1)
		}
		return nil

	case "bench-import":
		var f fileFlags
		fs := f.register(cmd, "a month without records yet, YYYY-MM")
		s, closeDB, err := f.open(ctx, fs, rest)
		if err != nil {
			return err
		}
		defer closeDB()
		b, err := app.BenchImport(ctx, s, f.code, f.file, f.month)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "engine %s: import %s; raw bulk load of the same %d stored rows %s; import at %.0f%% of the raw speed\n",
			s.DB.Engine(), b.Import.Round(time.Millisecond), b.Stored, b.Raw.Round(time.Millisecond), 100*b.Ratio())
		return nil

	case "gen-records":
		fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
		month := fs.String("month", "", "month YYYY-MM")
		n := fs.Int("records", 1000000, "number of records")
		customers := fs.Int("customers", 100000, "customers of the generated institution (cmhub gen --customers)")
		out := fs.String("out", "", "CSV file to write")
		if err := fs.Parse(rest); err != nil || *out == "" {
			return exitCode(2)
		}
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		if err := app.GenRecordsCSV(f, *month, *n, *customers); err != nil {
			_ = f.Close()
			return err
		}
		return f.Close()

	case "version":
		fmt.Fprintln(stdout, "cmhub", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stdout, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func setFlag(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			found = true
		}
	})
	return found
}

// userAdd bootstraps a user. With no institution yet it creates one from a
// preset. The password comes from CMHUB_PASSWORD or the first line of
// stdin; there is no default.
func userAdd(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	username := fs.String("username", "", "user name (required)")
	admin := fs.Bool("admin", false, "grant the system-administrator role")
	roles := fs.String("roles", "", "comma-separated role codes (instead of --admin)")
	person := fs.String("person", "", "employee number of the person this user is")
	instCode := fs.String("institution", "", "institution code (default: the only one; created when none exists)")
	instName := fs.String("institution-name", "", "name of the institution to create when none exists")
	preset := fs.String("preset", "securities-branch", "preset for a new institution: "+strings.Join(presets.Names(), ", "))
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	if *username == "" {
		return errors.New("--username is required")
	}
	if !*admin && *roles == "" {
		return errors.New("give --admin or --roles")
	}
	pw := os.Getenv("CMHUB_PASSWORD")
	if pw == "" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if err := auth.CheckNewPassword(pw); err != nil {
		return fmt.Errorf("password: %w", err)
	}
	db, err := app.OpenStore(ctx, d.url())
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	s := app.NewServices(db, platform.SystemClock{}, auth.Config{Secret: []byte("cli-never-signs-sessions-0000000000")})
	insts, err := db.Institutions(ctx)
	if err != nil {
		return err
	}
	var inst int64
	switch {
	case *instCode != "":
		in, err := db.InstitutionByCode(ctx, *instCode)
		if err != nil {
			if len(insts) > 0 {
				return fmt.Errorf("institution %s: %w", *instCode, err)
			}
		} else {
			inst = in.ID
		}
	case len(insts) == 1:
		inst = insts[0].ID
	case len(insts) > 1:
		return errors.New("several institutions exist: give --institution CODE")
	}
	if inst == 0 {
		if *instName == "" || *instCode == "" {
			return errors.New("no institution yet: give --institution CODE and --institution-name NAME to create one")
		}
		p, err := presets.Load(*preset)
		if err != nil {
			return err
		}
		in, err := app.CreateInstitution(ctx, s, p, *instCode, *instName, platform.DateOf(time.Now()), "cli")
		inst = in.ID
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "institution %s created from preset %s\n", *instCode, *preset)
	}
	ctx = access.WithPrincipal(ctx, access.System(inst, "cli"))
	var personID int64
	if *person != "" {
		pid, err := db.PersonIDByEmpNo(ctx, inst, *person)
		if err != nil {
			return fmt.Errorf("person %s: %w", *person, err)
		}
		personID = pid
	}
	codes := []string{"admin"}
	if !*admin {
		codes = strings.Split(*roles, ",")
	}
	u, err := s.Auth.CreateUser(ctx, auth.NewUser{Username: *username, Password: pw, PersonID: personID, Roles: codes})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s created (id %d, roles %s)\n", u.Username, u.ID, strings.Join(codes, ","))
	return nil
}

// fileFlags are the flags of the commands that import a month's file.
type fileFlags struct {
	cmd, code, file, month string
	db                     dbFlags
}

func (f *fileFlags) register(cmd, monthHelp string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	f.cmd = cmd
	f.db.register(fs)
	fs.StringVar(&f.code, "institution", "", "institution code")
	fs.StringVar(&f.file, "file", "", "CSV or XLSX file of business records")
	fs.StringVar(&f.month, "month", "", monthHelp)
	return fs
}

// open parses the arguments, checks the required flags and opens the
// store; closeDB closes it.
func (f *fileFlags) open(ctx context.Context, fs *flag.FlagSet, args []string) (s *app.Services, closeDB func(), err error) {
	if err := fs.Parse(args); err != nil {
		return nil, nil, exitCode(2)
	}
	if f.code == "" || f.file == "" || f.month == "" {
		fmt.Fprintln(os.Stderr, f.cmd+" needs --institution, --file and --month")
		return nil, nil, exitCode(2)
	}
	db, err := app.OpenStore(ctx, f.db.url())
	if err != nil {
		return nil, nil, err
	}
	s = app.NewServices(db, platform.SystemClock{}, auth.Config{Secret: []byte("cli-never-signs-sessions-0000000000")})
	return s, func() { _ = db.Close() }, nil
}

// genRecords writes n synthetic records of month for the institution gen
// just made to a file in the data directory, imports it as the CRM's
// monthly file would be, and removes it.
func genRecords(ctx context.Context, s *app.Services, o app.GenOptions, n int, month string, d dbFlags, stdout io.Writer) error {
	if month == "" {
		month = time.Now().UTC().AddDate(0, 0, -time.Now().UTC().Day()).Format("2006-01") // last month
	}
	if err := os.MkdirAll(d.dataDir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(d.dataDir, "gen-records-*.csv")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(f.Name()) }()
	if err := app.GenRecordsCSV(f, month, n, o.Customers); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	start := time.Now()
	out, err := app.ImportRecordsFile(ctx, s, o.Code, f.Name(), month, "all_or_nothing")
	if err != nil {
		return err
	}
	if out.Status != "succeeded" {
		return fmt.Errorf("gen: importing the generated records: %s", out.Message)
	}
	fmt.Fprintf(stdout, "imported %d business records of %s in %s\n", n, month, time.Since(start).Round(time.Millisecond))
	return nil
}

// startCPUProfile writes a CPU profile to path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
