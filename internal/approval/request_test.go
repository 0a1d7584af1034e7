package approval_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"cmhub/internal/approval"
	"cmhub/internal/platform"
)

// at is minute m of the tests' day.
func at(m int) time.Time { return time.Date(2026, 3, 2, 9, m, 0, 0, time.UTC) }

func stage(key string, mode approval.Mode, ids ...int64) approval.Stage {
	return approval.Stage{Key: key, NameZh: key + "审批", NameEn: key, Mode: mode, Approvers: ids}
}

func skipped(key string) approval.Stage {
	return approval.Stage{Key: key, NameZh: key + "审批", NameEn: key, Mode: approval.ModeSingle, Skipped: true,
		NoteZh: "条件不满足，跳过", NoteEn: "skipped: condition does not hold"}
}

// requester is the CM who asks in these tests.
const requester = 102

func resolution(stages ...approval.Stage) approval.Resolution {
	return approval.Resolution{Kind: approval.KindLeave, RouteKey: "leave_default", RouteVersion: 1, Requester: requester, Stages: stages}
}

// sequential is the team lead, the regional manager, then deputies 2 and 3 countersigning.
func sequential() approval.Resolution {
	return resolution(stage("lead", approval.ModeSingle, 110), stage("rm", approval.ModeSingle, 100), stage("deputies", approval.ModeCountersign, 2, 3))
}

func submit(t *testing.T, res approval.Resolution) (*approval.Request, []approval.Notification) {
	t.Helper()
	r, notes, err := approval.Submit(7, res, at(0))
	if err != nil {
		t.Fatal(err)
	}
	return r, notes
}

// do runs one action on the version the request has and expects it to pass.
func do(t *testing.T, r *approval.Request, action approval.Action, actor int64, comment string, m int) []approval.Notification {
	t.Helper()
	notes, err := act(r, action, approval.Act{Actor: actor, Version: r.Version, Comment: comment, At: at(m)}, approval.Resolution{})
	if err != nil {
		t.Fatalf("%s by %d: %v", action, actor, err)
	}
	return notes
}

func act(r *approval.Request, action approval.Action, a approval.Act, res approval.Resolution) ([]approval.Notification, error) {
	switch action {
	case approval.ActionApprove:
		return r.Approve(a)
	case approval.ActionReject:
		return r.Reject(a)
	case approval.ActionRecall:
		return r.Recall(a)
	case approval.ActionResubmit:
		return r.Resubmit(a, res)
	}
	panic("unknown action " + action)
}

// refused runs an action that must fail with the given conflict code, or
// with platform.ErrForbidden when code is "forbidden", or a validation
// error on field when code is "invalid:field", and must change nothing.
func refused(t *testing.T, r *approval.Request, action approval.Action, a approval.Act, code string) {
	t.Helper()
	before := r.Clone()
	notes, err := act(r, action, a, sequential())
	switch {
	case code == "forbidden":
		if !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("%s by %d: want forbidden, got %v", action, a.Actor, err)
		}
	case strings.HasPrefix(code, "invalid:"):
		var ve *platform.ValidationError
		if !errors.As(err, &ve) || ve.Fields[strings.TrimPrefix(code, "invalid:")] == "" {
			t.Fatalf("%s by %d: want %s, got %v", action, a.Actor, code, err)
		}
	default:
		var ce *platform.ConflictError
		if !errors.As(err, &ce) || ce.Code != code {
			t.Fatalf("%s by %d: want conflict %s, got %v", action, a.Actor, code, err)
		}
	}
	if notes != nil {
		t.Errorf("notifications from a refused action: %v", notes)
	}
	if !reflect.DeepEqual(r, before) {
		t.Fatalf("a refused %s changed the request:\n%+v\nwas\n%+v", action, r, before)
	}
}

// current is the act of actor on the request's version.
func current(r *approval.Request, actor int64, comment string) approval.Act {
	return approval.Act{Actor: actor, Version: r.Version, Comment: comment, At: at(30)}
}

type sent struct {
	to    int64
	event approval.Event
	stage string
}

func summary(notes []approval.Notification) []sent {
	out := make([]sent, len(notes))
	for i, n := range notes {
		out[i] = sent{n.To, n.Event, n.StageKey}
	}
	return out
}

func wantNotes(t *testing.T, got []approval.Notification, want ...sent) {
	t.Helper()
	if s := summary(got); !reflect.DeepEqual(s, want) && (len(s) != 0 || len(want) != 0) {
		t.Fatalf("notifications %v, want %v", s, want)
	}
}

func TestSequentialAndCountersign(t *testing.T) {
	r, notes := submit(t, sequential())
	if r.Status != approval.StatusPending || r.Current != 0 || r.Version != 1 || r.Round != 1 {
		t.Fatalf("submitted: %+v", r)
	}
	wantNotes(t, notes, sent{110, approval.EventPending, "lead"})
	if n := notes[0]; n.RequestID != 7 || n.Kind != approval.KindLeave || n.Round != 1 || n.Stage != 0 {
		t.Errorf("notification %+v", n)
	}

	wantNotes(t, do(t, r, approval.ActionApprove, 110, "同意", 1), sent{100, approval.EventPending, "rm"})
	wantNotes(t, do(t, r, approval.ActionApprove, 100, "", 2), sent{2, approval.EventPending, "deputies"}, sent{3, approval.EventPending, "deputies"})
	wantNotes(t, do(t, r, approval.ActionApprove, 3, "", 3))
	if r.Status != approval.StatusPending || r.Current != 2 || !reflect.DeepEqual(r.Waiting(), []int64{2}) {
		t.Fatalf("after one countersign: %+v, waiting %v", r, r.Waiting())
	}
	notes = do(t, r, approval.ActionApprove, 2, "", 4)
	wantNotes(t, notes, sent{requester, approval.EventApproved, ""})
	if r.Status != approval.StatusApproved || r.Current != -1 || r.Version != 5 || !r.Final() || r.Waiting() != nil {
		t.Fatalf("approved: %+v", r)
	}
	want := []approval.Entry{
		{At: at(0), Round: 1, Action: approval.ActionSubmit, Actor: requester, Stage: -1},
		{At: at(1), Round: 1, Action: approval.ActionApprove, Actor: 110, Stage: 0, StageKey: "lead", Comment: "同意"},
		{At: at(2), Round: 1, Action: approval.ActionApprove, Actor: 100, Stage: 1, StageKey: "rm"},
		{At: at(3), Round: 1, Action: approval.ActionApprove, Actor: 3, Stage: 2, StageKey: "deputies"},
		{At: at(4), Round: 1, Action: approval.ActionApprove, Actor: 2, Stage: 2, StageKey: "deputies"},
	}
	if !reflect.DeepEqual(r.History, want) {
		t.Fatalf("history %+v", r.History)
	}
	if !reflect.DeepEqual(r.Stages[2].Approved, []int64{3, 2}) {
		t.Errorf("approved in order %v", r.Stages[2].Approved)
	}
}

func TestAnyCompletesOnFirst(t *testing.T) {
	r, notes := submit(t, resolution(stage("deputies", approval.ModeAny, 2, 3, 4), stage("gm", approval.ModeSingle, 1)))
	wantNotes(t, notes, sent{2, approval.EventPending, "deputies"}, sent{3, approval.EventPending, "deputies"}, sent{4, approval.EventPending, "deputies"})
	notes = do(t, r, approval.ActionApprove, 3, "", 1)
	wantNotes(t, notes, sent{2, approval.EventClosed, "deputies"}, sent{4, approval.EventClosed, "deputies"}, sent{1, approval.EventPending, "gm"})
	if notes[0].Actor != 3 {
		t.Errorf("closed by %d", notes[0].Actor)
	}
	if r.Current != 1 {
		t.Fatalf("at %d", r.Current)
	}
	// The others' turn has passed.
	refused(t, r, approval.ActionApprove, current(r, 2, ""), "forbidden")
}

func TestRejectDecidesWhateverTheMode(t *testing.T) {
	for _, tc := range []struct {
		name     string
		mode     approval.Mode
		before   []int64 // approve first
		rejecter int64
		closed   []int64
	}{
		{"countersign, nobody approved yet", approval.ModeCountersign, nil, 2, []int64{3, 4}},
		{"countersign, after one approval", approval.ModeCountersign, []int64{3}, 4, []int64{2}},
		{"any", approval.ModeAny, nil, 4, []int64{2, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := submit(t, resolution(stage("deputies", tc.mode, 2, 3, 4), stage("gm", approval.ModeSingle, 1)))
			for _, id := range tc.before {
				do(t, r, approval.ActionApprove, id, "", 1)
			}
			notes := do(t, r, approval.ActionReject, tc.rejecter, "  天数太多  ", 2)
			want := []sent{{requester, approval.EventRejected, "deputies"}}
			for _, id := range tc.closed {
				want = append(want, sent{id, approval.EventClosed, "deputies"})
			}
			wantNotes(t, notes, want...)
			if notes[0].Comment != "天数太多" || notes[0].Actor != tc.rejecter {
				t.Errorf("rejection note %+v", notes[0])
			}
			if r.Status != approval.StatusRejected || r.Current != -1 || r.Final() {
				t.Fatalf("%+v", r)
			}
			last := r.History[len(r.History)-1]
			if last.Action != approval.ActionReject || last.StageKey != "deputies" || last.Comment != "天数太多" {
				t.Errorf("history %+v", last)
			}
		})
	}
}

func TestRejectNeedsAComment(t *testing.T) {
	r, _ := submit(t, sequential())
	refused(t, r, approval.ActionReject, current(r, 110, ""), "invalid:comment")
	refused(t, r, approval.ActionReject, current(r, 110, " \n\t"), "invalid:comment")
	refused(t, r, approval.ActionApprove, current(r, 110, strings.Repeat("长", 1001)), "invalid:comment")
	refused(t, r, approval.ActionApprove, approval.Act{Actor: 110, Version: r.Version}, "invalid:at")
	refused(t, r, approval.ActionApprove, approval.Act{Version: r.Version, At: at(1)}, "invalid:actor")
}

func TestRejectThenResubmit(t *testing.T) {
	long := resolution(stage("lead", approval.ModeSingle, 110), stage("rm", approval.ModeSingle, 100), stage("accountant", approval.ModeSingle, 4))
	long.Attrs = map[string]float64{"days": 5}
	r, _ := submit(t, long)
	do(t, r, approval.ActionApprove, 110, "", 1)
	do(t, r, approval.ActionReject, 100, "请缩短天数", 2)

	// Returned: approvers can do nothing, the requester may resubmit or recall.
	refused(t, r, approval.ActionApprove, current(r, 4, ""), approval.CodeNotPending)
	refused(t, r, approval.ActionReject, current(r, 100, "again"), approval.CodeNotPending)
	if got := r.Actions(requester); !reflect.DeepEqual(got, []approval.Action{approval.ActionRecall, approval.ActionResubmit}) {
		t.Fatalf("requester's actions %v", got)
	}
	if got := r.Actions(100); got != nil {
		t.Fatalf("approver's actions %v", got)
	}
	refused(t, r, approval.ActionResubmit, current(r, 110, ""), "forbidden")
	other := sequential()
	other.Requester = 103
	before := r.Clone()
	if _, err := r.Resubmit(current(r, requester, ""), other); err == nil || !reflect.DeepEqual(r, before) {
		t.Fatalf("resubmitted with another requester's resolution: %v", err)
	}

	// Edited to two days, the accountant's step no longer applies.
	short := resolution(stage("lead", approval.ModeSingle, 110), stage("rm", approval.ModeSingle, 100), skipped("accountant"))
	short.Attrs = map[string]float64{"days": 2}
	short.RouteVersion = 2
	notes, err := r.Resubmit(approval.Act{Actor: requester, Version: r.Version, Comment: "改为两天", At: at(3)}, short)
	if err != nil {
		t.Fatal(err)
	}
	wantNotes(t, notes, sent{110, approval.EventPending, "lead"})
	if r.Status != approval.StatusPending || r.Current != 0 || r.Round != 2 || r.RouteVersion != 2 || r.Attrs["days"] != 2 || len(r.Stages[0].Approved) != 0 {
		t.Fatalf("resubmitted: %+v", r)
	}
	if notes[0].Round != 2 {
		t.Errorf("note of round %d", notes[0].Round)
	}
	// Round 1's approval by the lead does not count: they approve again.
	do(t, r, approval.ActionApprove, 110, "", 4)
	notes = do(t, r, approval.ActionApprove, 100, "", 5)
	wantNotes(t, notes, sent{requester, approval.EventApproved, ""})
	var log []string
	for _, e := range r.History {
		log = append(log, string(rune('0'+e.Round))+":"+string(e.Action)+":"+e.StageKey)
	}
	want := []string{"1:submit:", "1:approve:lead", "1:reject:rm", "2:resubmit:", "2:approve:lead", "2:approve:rm", "2:skip:accountant"}
	if !reflect.DeepEqual(log, want) {
		t.Fatalf("history %v", log)
	}
	if c := r.History[3].Comment; c != "改为两天" {
		t.Errorf("resubmission comment %q", c)
	}
	if c := r.History[6].Comment; !strings.Contains(c, "条件不满足") || !strings.Contains(c, "condition does not hold") {
		t.Errorf("skip comment %q", c)
	}
	// The caller's resolution was copied, not shared.
	short.Stages[0].Approvers[0] = 999
	if r.Stages[0].Approvers[0] != 110 {
		t.Error("request shares its stages with the resolution")
	}
}

func TestResubmitOnlyWhenRejected(t *testing.T) {
	r, _ := submit(t, sequential())
	refused(t, r, approval.ActionResubmit, current(r, requester, ""), approval.CodeNotRejected)
	do(t, r, approval.ActionRecall, requester, "", 1)
	refused(t, r, approval.ActionResubmit, current(r, requester, ""), approval.CodeFinal)
}

func TestRecallRules(t *testing.T) {
	type step struct {
		action approval.Action
		actor  int64
	}
	for _, tc := range []struct {
		name     string
		before   []step
		recaller int64
		code     string // "" when the recall passes
		notify   []int64
	}{
		{"pending at the first step", nil, requester, "", []int64{110}},
		{"pending in a countersign, one approved", []step{{approval.ActionApprove, 110}, {approval.ActionApprove, 100}, {approval.ActionApprove, 2}}, requester, "", []int64{3}},
		{"rejected", []step{{approval.ActionReject, 110}}, requester, "", nil},
		{"by an approver", nil, 110, "forbidden", nil},
		{"by someone else", nil, 999, "forbidden", nil},
		{"approved", []step{{approval.ActionApprove, 110}, {approval.ActionApprove, 100}, {approval.ActionApprove, 2}, {approval.ActionApprove, 3}}, requester, approval.CodeFinal, nil},
		{"recalled", []step{{approval.ActionRecall, requester}}, requester, approval.CodeFinal, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := submit(t, sequential())
			for i, s := range tc.before {
				do(t, r, s.action, s.actor, "理由", i+1)
			}
			if tc.code != "" {
				refused(t, r, approval.ActionRecall, current(r, tc.recaller, ""), tc.code)
				return
			}
			notes := do(t, r, approval.ActionRecall, tc.recaller, "不请了", 20)
			var want []sent
			for _, id := range tc.notify {
				want = append(want, sent{id, approval.EventRecalled, r.History[len(r.History)-1].StageKey})
			}
			wantNotes(t, notes, want...)
			if r.Status != approval.StatusRecalled || !r.Final() || r.Current != -1 {
				t.Fatalf("%+v", r)
			}
			// Nothing happens to a recalled request.
			for _, a := range []approval.Action{approval.ActionApprove, approval.ActionReject, approval.ActionRecall} {
				for _, id := range []int64{requester, 110, 100, 2, 3} {
					if r.MayAct(id, a) == nil {
						t.Errorf("%d may %s a recalled request", id, a)
					}
				}
			}
		})
	}
}

func TestActingTwice(t *testing.T) {
	r, _ := submit(t, resolution(stage("deputies", approval.ModeCountersign, 2, 3)))
	do(t, r, approval.ActionApprove, 2, "", 1)
	refused(t, r, approval.ActionApprove, current(r, 2, ""), approval.CodeAlreadyActed)
	// Having approved, 2 cannot turn it into a rejection either.
	refused(t, r, approval.ActionReject, current(r, 2, "changed my mind"), approval.CodeAlreadyActed)
	do(t, r, approval.ActionApprove, 3, "", 2)
	refused(t, r, approval.ActionApprove, current(r, 3, ""), approval.CodeFinal)
}

// The same person on two steps acts once on each, in turn.
func TestSamePersonOnTwoSteps(t *testing.T) {
	r, _ := submit(t, resolution(stage("lead", approval.ModeSingle, 100), stage("rm", approval.ModeSingle, 100)))
	do(t, r, approval.ActionApprove, 100, "", 1)
	if r.Current != 1 || !r.WaitsFor(100) {
		t.Fatalf("%+v", r)
	}
	do(t, r, approval.ActionApprove, 100, "", 2)
	if r.Status != approval.StatusApproved {
		t.Fatalf("%+v", r)
	}
}

func TestOutOfTurn(t *testing.T) {
	r, _ := submit(t, sequential())
	refused(t, r, approval.ActionApprove, current(r, 100, ""), approval.CodeNotYourTurn)
	refused(t, r, approval.ActionReject, current(r, 3, "no"), approval.CodeNotYourTurn)
	refused(t, r, approval.ActionApprove, current(r, 999, ""), "forbidden")
	refused(t, r, approval.ActionApprove, current(r, requester, ""), "forbidden")
	do(t, r, approval.ActionApprove, 110, "", 1)
	// The lead's step is done; it is not theirs any more.
	refused(t, r, approval.ActionApprove, current(r, 110, ""), "forbidden")
	err := r.MayAct(100, approval.ActionApprove)
	if err != nil {
		t.Fatalf("rm's turn: %v", err)
	}
}

func TestStaleVersion(t *testing.T) {
	r, _ := submit(t, resolution(stage("deputies", approval.ModeCountersign, 2, 3)))
	seen := r.Version
	do(t, r, approval.ActionApprove, 2, "", 1)
	refused(t, r, approval.ActionApprove, approval.Act{Actor: 3, Version: seen, At: at(2)}, approval.CodeStale)
	refused(t, r, approval.ActionRecall, approval.Act{Actor: requester, Version: seen, At: at(2)}, approval.CodeStale)
	refused(t, r, approval.ActionApprove, approval.Act{Actor: 3, Version: r.Version + 1, At: at(2)}, approval.CodeStale)
}

func TestSkippedStages(t *testing.T) {
	r, notes := submit(t, resolution(skipped("lead"), stage("rm", approval.ModeSingle, 100), skipped("accountant")))
	wantNotes(t, notes, sent{100, approval.EventPending, "rm"})
	if r.Current != 1 {
		t.Fatalf("at %d", r.Current)
	}
	notes = do(t, r, approval.ActionApprove, 100, "", 5)
	wantNotes(t, notes, sent{requester, approval.EventApproved, ""})
	var actions []string
	for _, e := range r.History {
		actions = append(actions, string(e.Action)+":"+e.StageKey)
		if e.Action == approval.ActionSkip && (e.Actor != 0 || e.Comment == "") {
			t.Errorf("skip entry %+v", e)
		}
	}
	if want := []string{"submit:", "skip:lead", "approve:rm", "skip:accountant"}; !reflect.DeepEqual(actions, want) {
		t.Fatalf("history %v", actions)
	}
	if r.History[3].At != at(5) {
		t.Errorf("the last skip happened at %v", r.History[3].At)
	}

	// Every stage skipped: approved on submission.
	r, notes = submit(t, resolution(skipped("lead"), skipped("accountant")))
	wantNotes(t, notes, sent{requester, approval.EventApproved, ""})
	if r.Status != approval.StatusApproved || len(r.History) != 3 {
		t.Fatalf("%+v", r)
	}
}

func TestSubmitRefusesBadResolutions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		res   approval.Resolution
		field string
	}{
		{"the requester approves", resolution(stage("lead", approval.ModeAny, 4, requester)), "stages.0"},
		{"single with two", resolution(stage("lead", approval.ModeSingle, 2, 3)), "stages.0"},
		{"nobody on a stage", resolution(stage("lead", approval.ModeAny)), "stages.0"},
		{"skipped with approvers", resolution(stage("lead", approval.ModeAny, 4), approval.Stage{Key: "x", Skipped: true, Approvers: []int64{5}}), "stages.1"},
		{"unsorted", resolution(stage("lead", approval.ModeAny, 4, 2)), "stages.0"},
		{"repeated", resolution(stage("lead", approval.ModeAny, 4, 4)), "stages.0"},
		{"bad mode", resolution(stage("lead", "all", 4)), "stages.0"},
		{"already approved", resolution(approval.Stage{Key: "lead", Mode: approval.ModeSingle, Approvers: []int64{4}, Approved: []int64{4}}), "stages.0"},
		{"no stage", resolution(), "stages"},
		{"no requester", func() approval.Resolution { r := sequential(); r.Requester = 0; return r }(), "requester"},
		{"no route", func() approval.Resolution { r := sequential(); r.RouteKey = ""; return r }(), "route"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := approval.Submit(1, tc.res, at(0))
			if _, ok := fieldsOf(t, err)[tc.field]; !ok {
				t.Fatalf("no message for %s: %v", tc.field, err)
			}
		})
	}
	if _, _, err := approval.Submit(1, sequential(), time.Time{}); err == nil {
		t.Fatal("submitted without a time")
	}
}

// End to end: a team lead asking for leave is not their own approver; with
// the route's skip policy the request goes to the regional manager.
func TestNobodyApprovesTheirOwnRequest(t *testing.T) {
	f := mustCompile(t, leaveRoute())
	res, err := f.Resolve(testOrg(t), 110, map[string]float64{"days": 1})
	if err != nil {
		t.Fatal(err)
	}
	r, notes := submit(t, res)
	wantNotes(t, notes, sent{100, approval.EventPending, "rm"})
	for _, st := range r.Stages {
		if slices.Contains(st.Approvers, 110) {
			t.Fatalf("110 approves their own request at %s", st.Key)
		}
	}
	if !strings.Contains(r.History[1].Comment, "team_lead") {
		t.Errorf("skip says %q", r.History[1].Comment)
	}
	refused(t, r, approval.ActionApprove, current(r, 110, ""), "forbidden")
}

func TestInboxWaitingAndActions(t *testing.T) {
	a, _ := submit(t, sequential())
	b, _ := submit(t, resolution(stage("deputies", approval.ModeCountersign, 2, 3)))
	c, _ := submit(t, resolution(stage("deputies", approval.ModeAny, 3, 4)))
	do(t, b, approval.ActionApprove, 3, "", 1)
	reqs := []*approval.Request{a, b, c}
	for _, tc := range []struct {
		person int64
		want   []*approval.Request
	}{
		{110, []*approval.Request{a}},
		{2, []*approval.Request{b}},
		{3, []*approval.Request{c}}, // b's part is done
		{4, []*approval.Request{c}},
		{100, nil}, // a is not at the RM yet
		{requester, nil},
	} {
		if got := approval.Inbox(tc.person, reqs); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("inbox of %d: %d requests, want %d", tc.person, len(got), len(tc.want))
		}
	}
	if got := c.Waiting(); !reflect.DeepEqual(got, []int64{3, 4}) {
		t.Errorf("c waits for %v", got)
	}
	if got := b.Actions(2); !reflect.DeepEqual(got, []approval.Action{approval.ActionApprove, approval.ActionReject}) {
		t.Errorf("2 may %v", got)
	}
	if got := b.Actions(requester); !reflect.DeepEqual(got, []approval.Action{approval.ActionRecall}) {
		t.Errorf("requester may %v", got)
	}
	var ve *platform.ValidationError
	if err := b.MayAct(2, approval.ActionSkip); !errors.As(err, &ve) {
		t.Errorf("skip as an action: %v", err)
	}
}

func TestClone(t *testing.T) {
	r, _ := submit(t, sequential())
	r.Attrs = map[string]float64{"days": 1}
	do(t, r, approval.ActionApprove, 110, "", 1)
	c := r.Clone()
	if !reflect.DeepEqual(c, r) {
		t.Fatal("clone differs")
	}
	do(t, c, approval.ActionApprove, 100, "", 2)
	c.Attrs["days"] = 9
	c.Stages[2].Approvers[0] = 999
	if r.Current != 1 || len(r.History) != 2 || r.Attrs["days"] != 1 || r.Stages[2].Approvers[0] != 2 || r.Stages[1].Approved != nil {
		t.Fatalf("the original changed with its clone: %+v", r)
	}
}

// The head-office plan route of seed 001 第四条: branch → brokerage office
// → channel management (countersign) → brokerage office → vice-president
// → result back. The brokerage office appears twice and acts once on each.
func TestHeadOfficePlanRoute(t *testing.T) {
	role := func(code string) approval.Resolver { return approval.Resolver{By: approval.ByRole, Role: code} }
	route := approval.Route{Key: "plan_head_office", NameZh: "营业部计划总部审批", NameEn: "Branch plan, head office", Version: 1, Kind: approval.KindPlan,
		Steps: []approval.Step{
			{Key: "brokerage", NameZh: "经纪业务综合室初审", Mode: approval.ModeAny, Approvers: role("ho_brokerage")},
			{Key: "channel", NameZh: "渠道管理部会签", Mode: approval.ModeCountersign, Approvers: role("ho_channel")},
			{Key: "brokerage_final", NameZh: "经纪业务综合室复核", Mode: approval.ModeAny, Approvers: role("ho_brokerage")},
			{Key: "vp", NameZh: "分管副总裁审批", Mode: approval.ModeSingle, Approvers: approval.Resolver{By: approval.ByPerson, People: []int64{950}}},
		}}
	f, err := approval.Compile(route, nil)
	if err != nil {
		t.Fatal(err)
	}
	o, err := approval.NewOrg(testSnapshot(), approval.OrgOptions{Roles: map[string][]int64{"ho_brokerage": {7}, "ho_channel": {902, 901}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Resolve(o, 1, nil) // the branch's GM submits the branch's plan
	if err != nil {
		t.Fatal(err)
	}
	r, notes, err := approval.Submit(3, res, at(0))
	if err != nil {
		t.Fatal(err)
	}
	wantNotes(t, notes, sent{7, approval.EventPending, "brokerage"})
	do(t, r, approval.ActionApprove, 7, "", 1)
	refused(t, r, approval.ActionApprove, current(r, 7, ""), approval.CodeNotYourTurn)
	do(t, r, approval.ActionApprove, 902, "", 2)
	wantNotes(t, do(t, r, approval.ActionApprove, 901, "", 3), sent{7, approval.EventPending, "brokerage_final"})
	wantNotes(t, do(t, r, approval.ActionApprove, 7, "", 4), sent{950, approval.EventPending, "vp"})
	wantNotes(t, do(t, r, approval.ActionApprove, 950, "同意", 5), sent{1, approval.EventApproved, ""})
	if r.Status != approval.StatusApproved || r.Kind != approval.KindPlan || len(r.History) != 6 {
		t.Fatalf("%+v", r)
	}
}
