package approval

// Event is what a notification tells its recipient.
type Event string

// The events of notifications.
const (
	// EventPending tells an approver that a request waits for them.
	EventPending Event = "pending"
	// EventApproved tells the requester their request is approved.
	EventApproved Event = "approved"
	// EventRejected tells the requester their request was returned, with
	// the approver's comment.
	EventRejected Event = "rejected"
	// EventRecalled tells an approver who had the request in their inbox
	// that the requester withdrew it.
	EventRecalled Event = "recalled"
	// EventClosed tells an approver who had the request in their inbox
	// that another approver decided the stage (or rejected the request).
	EventClosed Event = "closed"
)

// Notification is an in-app message a transition asks the caller to
// store: plain data, rendered by the UI in the reader's language from the
// request's kind, stage names and the comment. A transition's
// notifications come in a fixed order: those about the stage just decided
// (to the requester first), then those about the next stage, recipients
// ascending within each.
type Notification struct {
	To        int64  `json:"to"`
	Event     Event  `json:"event"`
	RequestID int64  `json:"requestId"`
	Kind      string `json:"kind"`
	Round     int    `json:"round"`
	Stage     int    `json:"stage"` // index of the stage concerned, -1 for the request as a whole
	StageKey  string `json:"stageKey,omitempty"`
	Actor     int64  `json:"actor,omitempty"` // who caused it; 0 for the system
	Comment   string `json:"comment,omitempty"`
}

func (r *Request) note(to int64, ev Event, stage int, actor int64, comment string) Notification {
	n := Notification{To: to, Event: ev, RequestID: r.ID, Kind: r.Kind, Round: r.Round, Stage: stage, Actor: actor, Comment: comment}
	if stage >= 0 {
		n.StageKey = r.Stages[stage].Key
	}
	return n
}
