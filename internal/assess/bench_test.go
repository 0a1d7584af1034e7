package assess_test

import (
	"math/rand/v2"
	"testing"

	"cmhub/internal/assess"
	"cmhub/internal/org"
)

const benchSubjects = 100_000

// BenchmarkComposite computes the composites of 100 000 sales CMs with 20
// sheets each (16 peers, the RM, 3 of the marketing department): the
// issue's two million sheets. One op is all 100 000 composites.
func BenchmarkComposite(b *testing.B) {
	r := specRules(b, assess.PolicyRenormalise)
	rnd := rand.New(rand.NewPCG(1, 2))
	all := make([][]assess.SheetTotal, benchSubjects)
	for i := range all {
		ss := make([]assess.SheetTotal, 0, 20)
		add := func(group string, rater int64) {
			ss = append(ss, assess.SheetTotal{Rater: rater, Group: group, Total: assess.Points(600 + rnd.IntN(401)),
				Submitted: rnd.IntN(50) != 0, TemplateVersion: 1})
		}
		for p := range 16 {
			add("peers", int64(p+1))
		}
		add("rm", 100)
		for m := range 3 {
			add("marketing", int64(200+m))
		}
		all[i] = ss
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, ss := range all {
			if _, err := r.Composite("sales_cm_quarterly", ss); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchSubjects), "ns/subject")
}

// benchOrg is 50 branches of 100 regions, each region an RM, an
// assistant and 20 sales CMs in one team; per branch a GM and 3 people of
// the marketing department: 110 000 managers to assess.
func benchOrg() assess.Snapshot {
	snap := assess.Snapshot{AsOf: q1.End()}
	var uid, pid int64
	unit := func(parent int64, k org.Kind) int64 {
		uid++
		snap.Units = append(snap.Units, assess.Unit{ID: uid, ParentID: parent, Kind: k})
		return uid
	}
	person := func(u int64, pos string) {
		pid++
		snap.People = append(snap.People, assess.Person{ID: pid, UnitID: u, Position: pos, Status: "active"})
	}
	inst := unit(0, org.Institution)
	for range 50 {
		br := unit(inst, org.Branch)
		person(br, "general_manager")
		mk := unit(br, org.Department)
		person(mk, "marketing_director")
		person(mk, "marketing_staff")
		person(mk, "marketing_staff")
		for range 100 {
			rg := unit(br, org.Region)
			person(rg, "regional_manager")
			person(rg, "rm_assistant")
			tm := unit(rg, org.Team)
			for range 20 {
				person(tm, "sales_cm")
			}
		}
	}
	return snap
}

// BenchmarkPlan resolves the raters of a quarterly cycle for 110 000
// managers and 5 000 teams (2.56 million sheets). One op is the whole
// cycle.
func BenchmarkPlan(b *testing.B) {
	r := specRules(b, assess.PolicyRenormalise)
	snap := benchOrg()
	var sheets int
	b.ReportAllocs()
	for b.Loop() {
		plan, err := r.Plan(q1, snap, assess.PlanOptions{})
		if err != nil {
			b.Fatal(err)
		}
		sheets = plan.SheetCount()
	}
	b.ReportMetric(float64(sheets), "sheets")
}

// BenchmarkComputeItems is one subject's computed items (the CM form's
// task completion formula); once per subject, shared by all its sheets.
func BenchmarkComputeItems(b *testing.B) {
	sc, err := assess.Compile(cmForm())
	if err != nil {
		b.Fatal(err)
	}
	in := map[string]float64{"completion": 0.87}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sc.ComputeItems(in); err != nil {
			b.Fatal(err)
		}
	}
}
