package approval_test

import (
	"testing"

	"cmhub/internal/approval"
	"cmhub/internal/assess"
	"cmhub/internal/org"
	"cmhub/internal/platform"
)

const benchPeople = 100_000

// benchOrg is 100 000 people: 20 branches (GM, two deputies, a chief
// accountant in a finance department), each of 10 regions with an RM,
// each of 5 teams with a team lead and sales CMs filling up to 100 000.
// It returns the snapshot and the sales CMs, who ask.
func benchOrg() (assess.Snapshot, []int64) {
	snap := assess.Snapshot{AsOf: platform.NewDate(2026, 3, 2)}
	var uid, pid int64
	unit := func(parent int64, k org.Kind) int64 {
		uid++
		snap.Units = append(snap.Units, assess.Unit{ID: uid, ParentID: parent, Kind: k})
		return uid
	}
	person := func(u int64, pos string) int64 {
		pid++
		snap.People = append(snap.People, assess.Person{ID: pid, UnitID: u, Position: pos, Status: "active"})
		return pid
	}
	inst := unit(0, org.Institution)
	var teams []int64
	for range 20 {
		br := unit(inst, org.Branch)
		person(br, "general_manager")
		person(br, "deputy_gm")
		person(br, "deputy_gm")
		person(unit(br, org.Department), "chief_accountant")
		for range 10 {
			rg := unit(br, org.Region)
			person(rg, "regional_manager")
			for range 5 {
				tm := unit(rg, org.Team)
				person(tm, "team_lead")
				teams = append(teams, tm)
			}
		}
	}
	var cms []int64
	for i := 0; len(snap.People) < benchPeople; i++ {
		cms = append(cms, person(teams[i%len(teams)], "sales_cm"))
	}
	return snap, cms
}

// BenchmarkResolve resolves 100 000 leave requests, one per sales CM,
// against the 100 000-person organisation with the four-step route (team
// lead, RM, chief accountant over three days, deputies countersigning).
// One op is all 100 000.
func BenchmarkResolve(b *testing.B) {
	snap, cms := benchOrg()
	o, err := approval.NewOrg(snap, approval.OrgOptions{})
	if err != nil {
		b.Fatal(err)
	}
	f := mustCompile(b, leaveRoute())
	attrs := make([]map[string]float64, 7)
	for d := range attrs {
		attrs[d] = map[string]float64{"days": float64(d) + 0.5}
	}
	b.Run("resolve", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i, id := range cms {
				if _, err := f.Resolve(o, id, attrs[i%len(attrs)]); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cms)), "ns/request")
	})
	// Resolving and submitting: what a bulk import of requests costs in
	// the core before storage.
	b.Run("resolve+submit", func(b *testing.B) {
		b.ReportAllocs()
		at := at(0)
		for b.Loop() {
			for i, id := range cms {
				res, err := f.Resolve(o, id, attrs[i%len(attrs)])
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := approval.Submit(int64(i+1), res, at); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cms)), "ns/request")
	})
}

// BenchmarkNewOrg indexes the 100 000-person organisation, which a
// service does once per snapshot day.
func BenchmarkNewOrg(b *testing.B) {
	snap, _ := benchOrg()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := approval.NewOrg(snap, approval.OrgOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
