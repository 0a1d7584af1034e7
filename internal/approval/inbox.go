package approval

import (
	"maps"
	"slices"
)

// Waiting returns the people the request waits for: the approvers of the
// current stage who have not approved it yet, ascending. It is empty
// unless the request is pending. A caller keeps these in an inbox table
// (rewritten after every transition) so "my inbox" is one indexed query.
func (r *Request) Waiting() []int64 {
	if r.Status != StatusPending {
		return nil
	}
	st := &r.Stages[r.Current]
	out := make([]int64, 0, len(st.Approvers)-len(st.Approved))
	for _, id := range st.Approvers {
		if !slices.Contains(st.Approved, id) {
			out = append(out, id)
		}
	}
	return out
}

// WaitsFor reports whether the request is pending with person: they are
// an approver of its current stage and have not approved it yet.
// It is MayAct(person, ActionApprove) == nil without building the
// refusal, as an inbox asks it of many requests.
func (r *Request) WaitsFor(person int64) bool {
	if r.Status != StatusPending || person == r.Requester {
		return false
	}
	st := &r.Stages[r.Current]
	return slices.Contains(st.Approvers, person) && !slices.Contains(st.Approved, person)
}

// Inbox returns the requests of reqs pending with person, in their order.
func Inbox(person int64, reqs []*Request) []*Request {
	var out []*Request
	for _, r := range reqs {
		if r.WaitsFor(person) {
			out = append(out, r)
		}
	}
	return out
}

// MayAct says whether person may take action on the request now, and if
// not, why (the error the action itself would return, apart from a
// stale version). ActionSubmit and ActionSkip are never taken on a
// request and always refused.
func (r *Request) MayAct(person int64, action Action) error {
	switch action {
	case ActionApprove, ActionReject:
		return r.mayDecide(person)
	case ActionRecall:
		return r.mayRecall(person)
	case ActionResubmit:
		return r.mayResubmit(person)
	}
	return errUnknownAction(action)
}

// Actions lists what person may do on the request now, in a fixed order
// (approve, reject, recall, resubmit): the buttons a page shows.
func (r *Request) Actions(person int64) []Action {
	var out []Action
	for _, a := range []Action{ActionApprove, ActionReject, ActionRecall, ActionResubmit} {
		if r.MayAct(person, a) == nil {
			out = append(out, a)
		}
	}
	return out
}

// Final reports whether the request is approved or recalled: nothing can
// happen to it any more.
func (r *Request) Final() bool { return r.final() }

// Clone returns a deep copy, e.g. to keep the loaded state while trying
// an action.
func (r *Request) Clone() *Request {
	c := *r
	c.Attrs = maps.Clone(r.Attrs)
	c.History = slices.Clone(r.History)
	c.Stages = slices.Clone(r.Stages)
	for i := range c.Stages {
		c.Stages[i].Approvers = slices.Clone(c.Stages[i].Approvers)
		c.Stages[i].Approved = slices.Clone(c.Stages[i].Approved)
	}
	return &c
}
