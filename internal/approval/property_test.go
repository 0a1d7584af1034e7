package approval_test

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"cmhub/internal/approval"
	"cmhub/internal/platform"
)

// pool are the people of the random runs; requester is among the actors
// but never an approver.
func pool() []int64 { return []int64{1, 2, 3, 4, 5, 6} }

func randomResolution(rng *rand.Rand) approval.Resolution {
	stages := make([]approval.Stage, 1+rng.IntN(5))
	for i := range stages {
		key := string(rune('a'+i)) + "_step"
		if rng.IntN(5) == 0 {
			stages[i] = skipped(key)
			continue
		}
		mode := []approval.Mode{approval.ModeSingle, approval.ModeCountersign, approval.ModeAny}[rng.IntN(3)]
		n := 1
		if mode != approval.ModeSingle {
			n = 1 + rng.IntN(4)
		}
		ids := slices.Clone(pool())
		rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		ids = ids[:n]
		slices.Sort(ids)
		stages[i] = stage(key, mode, ids...)
	}
	return resolution(stages...)
}

func stageComplete(s approval.Stage) bool {
	switch {
	case s.Skipped:
		return true
	case s.Mode == approval.ModeCountersign:
		return len(s.Approved) == len(s.Approvers)
	}
	return len(s.Approved) > 0
}

// checkInvariants holds after every transition.
func checkInvariants(t *testing.T, r *approval.Request) {
	t.Helper()
	fail := func(why string) { t.Helper(); t.Fatalf("%s: %+v", why, r) }
	switch r.Status {
	case approval.StatusPending:
		if r.Current < 0 || r.Current >= len(r.Stages) {
			fail("pending without a current stage")
		}
		if r.Stages[r.Current].Skipped || stageComplete(r.Stages[r.Current]) || len(r.Waiting()) == 0 {
			fail("pending at a stage that waits for nobody")
		}
		for i := range r.Current {
			if !stageComplete(r.Stages[i]) {
				fail("an earlier stage is not complete")
			}
		}
		for i := r.Current + 1; i < len(r.Stages); i++ {
			if len(r.Stages[i].Approved) > 0 {
				fail("a later stage has approvals")
			}
		}
	case approval.StatusApproved:
		for _, s := range r.Stages {
			if !stageComplete(s) {
				fail("approved with an incomplete stage")
			}
		}
		fallthrough
	case approval.StatusRejected, approval.StatusRecalled:
		if r.Current != -1 || r.Waiting() != nil {
			fail("not pending but at a stage")
		}
	default:
		fail("unknown status")
	}
	// The inbox view and the action check agree for everyone.
	for _, id := range append(pool(), requester, 999) {
		w := r.WaitsFor(id)
		if w != (r.MayAct(id, approval.ActionApprove) == nil) || w != slices.Contains(r.Waiting(), id) {
			fail("WaitsFor, MayAct and Waiting disagree")
		}
	}
	if r.Final() != (r.Status == approval.StatusApproved || r.Status == approval.StatusRecalled) {
		fail("Final disagrees with the status")
	}
	for _, s := range r.Stages {
		if slices.Contains(s.Approvers, r.Requester) {
			fail("the requester approves")
		}
		for i, id := range s.Approved {
			if !slices.Contains(s.Approvers, id) || slices.Contains(s.Approved[:i], id) {
				fail("an approval by a non-approver or twice")
			}
		}
	}
	actions := 0
	for i, e := range r.History {
		if e.Action != approval.ActionSkip {
			actions++
		}
		if i > 0 && (e.At.Before(r.History[i-1].At) || e.Round < r.History[i-1].Round) {
			fail("history out of order")
		}
	}
	if actions != r.Version {
		fail("the version is not the number of actions")
	}
	if last := r.History[len(r.History)-1]; last.Round != r.Round {
		fail("the round is not the history's")
	}
}

// runRandom drives a request with random actions, many of them wrong,
// checking after each that a refusal changed nothing and a success moved
// the version by one and only appended to the history. It then finishes
// the request and returns it with every notification sent.
func runRandom(t *testing.T, seed uint64) (*approval.Request, []approval.Notification) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	r, all, err := approval.Submit(int64(seed), randomResolution(rng), at(0))
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, r)
	actors := append(pool(), requester, 999)
	actionsList := []approval.Action{approval.ActionApprove, approval.ActionApprove, approval.ActionApprove, approval.ActionReject, approval.ActionRecall, approval.ActionResubmit}
	try := func(step int, action approval.Action, a approval.Act) bool {
		t.Helper()
		before := r.Clone()
		notes, err := act(r, action, a, randomResolution(rng))
		if err != nil {
			var ve *platform.ValidationError
			var ce *platform.ConflictError
			if !errors.As(err, &ve) && !errors.As(err, &ce) && !errors.Is(err, platform.ErrForbidden) {
				t.Fatalf("step %d: unexpected kind of error %T: %v", step, err, err)
			}
			if notes != nil || !reflect.DeepEqual(r, before) {
				t.Fatalf("step %d: refused %s by %d changed the request", step, action, a.Actor)
			}
			return false
		}
		if before.Final() {
			t.Fatalf("step %d: %s by %d on a final request", step, action, a.Actor)
		}
		if r.Version != before.Version+1 || !reflect.DeepEqual(r.History[:len(before.History)], before.History) || len(r.History) == len(before.History) {
			t.Fatalf("step %d: %s did not append exactly one version", step, action)
		}
		checkInvariants(t, r)
		all = append(all, notes...)
		return true
	}
	step := 1
	for ; step < 80 && !r.Final(); step++ {
		action := actionsList[rng.IntN(len(actionsList))]
		actor := actors[rng.IntN(len(actors))]
		if w := r.Waiting(); len(w) > 0 && rng.IntN(2) == 0 {
			actor = w[rng.IntN(len(w))]
		}
		version := r.Version
		if rng.IntN(10) == 0 {
			version += rng.IntN(3) - 1
		}
		comment := ""
		if rng.IntN(3) > 0 {
			comment = "意见"
		}
		try(step, action, approval.Act{Actor: actor, Version: version, Comment: comment, At: at(step)})
	}
	// Finish: recall, or approve everything (resubmitting once if returned).
	if !r.Final() && rng.IntN(2) == 0 {
		if !try(step, approval.ActionRecall, approval.Act{Actor: requester, Version: r.Version, At: at(step)}) {
			t.Fatal("a request that is not final could not be recalled")
		}
	}
	for guard := 0; !r.Final(); guard++ {
		step++
		if guard > 100 {
			t.Fatal("the request never finished")
		}
		if r.Status == approval.StatusRejected {
			try(step, approval.ActionResubmit, approval.Act{Actor: requester, Version: r.Version, At: at(step)})
			continue
		}
		if !try(step, approval.ActionApprove, approval.Act{Actor: r.Waiting()[0], Version: r.Version, At: at(step)}) {
			t.Fatal("the first waiting approver could not approve")
		}
	}
	return r, all
}

// Whatever happens, a request ends in exactly one final state, and then
// nobody can do anything to it.
func TestPropertyOneFinalState(t *testing.T) {
	ends := map[approval.Status]int{}
	for seed := range uint64(3000) {
		r, _ := runRandom(t, seed)
		final := 0
		for _, s := range []approval.Status{approval.StatusApproved, approval.StatusRecalled} {
			if r.Status == s {
				final++
			}
		}
		if final != 1 || !r.Final() {
			t.Fatalf("seed %d: ended %s", seed, r.Status)
		}
		ends[r.Status]++
		for _, id := range append(pool(), requester, 999) {
			for _, a := range []approval.Action{approval.ActionApprove, approval.ActionReject, approval.ActionRecall, approval.ActionResubmit} {
				if r.MayAct(id, a) == nil {
					t.Fatalf("seed %d: %d may %s a %s request", seed, id, a, r.Status)
				}
			}
		}
	}
	// The runs must reach both ends, or the test proves little.
	if ends[approval.StatusApproved] < 100 || ends[approval.StatusRecalled] < 100 {
		t.Fatalf("ends %v", ends)
	}
}

// The same actions give the same request and the same notifications.
func TestPropertyDeterministic(t *testing.T) {
	for seed := range uint64(200) {
		r1, n1 := runRandom(t, seed)
		r2, n2 := runRandom(t, seed)
		if !reflect.DeepEqual(r1, r2) || !reflect.DeepEqual(n1, n2) {
			t.Fatalf("seed %d: two runs differ", seed)
		}
	}
}
