package approval

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"cmhub/internal/platform"
)

// Status is where a request stands.
type Status string

// The statuses of a request. Approved and recalled are final; a rejected
// request waits for its requester to resubmit or recall it.
const (
	StatusPending  Status = "pending"  // at stage Current
	StatusApproved Status = "approved" // every stage complete
	StatusRejected Status = "rejected" // returned to the requester
	StatusRecalled Status = "recalled" // withdrawn by the requester
)

// Action is what a history entry records.
type Action string

// The actions. ActionSkip is the system passing over a stage.
const (
	ActionSubmit   Action = "submit"
	ActionApprove  Action = "approve"
	ActionReject   Action = "reject"
	ActionRecall   Action = "recall"
	ActionResubmit Action = "resubmit"
	ActionSkip     Action = "skip"
)

// Conflict codes of the state machine; see platform.ConflictError.
const (
	// CodeStale: the actor saw another version of the request.
	CodeStale = "stale_version"
	// CodeNotPending: the request is not waiting for an approval.
	CodeNotPending = "not_pending"
	// CodeNotYourTurn: the actor approves a later stage, not the current one.
	CodeNotYourTurn = "not_your_turn"
	// CodeAlreadyActed: the actor already approved the current stage.
	CodeAlreadyActed = "already_acted"
	// CodeFinal: the request is approved or recalled; nothing more happens.
	CodeFinal = "final"
	// CodeNotRejected: only a rejected request can be resubmitted.
	CodeNotRejected = "not_rejected"
)

// Entry is one line of a request's history. Skips are written by the
// system (Actor 0) with the stage's note as comment.
type Entry struct {
	At       time.Time `json:"at"`
	Round    int       `json:"round"`
	Action   Action    `json:"action"`
	Actor    int64     `json:"actor"`
	Stage    int       `json:"stage"` // index into the round's stages, -1 for the request as a whole
	StageKey string    `json:"stageKey,omitempty"`
	Comment  string    `json:"comment,omitempty"`
}

// Request is one request going through its route. The caller stores it
// whole (stages and history as JSON, or in tables) and writes it back
// only if the stored Version is still the one it loaded.
type Request struct {
	ID           int64              `json:"id"`
	Kind         string             `json:"kind"`
	RouteKey     string             `json:"routeKey"`
	RouteVersion int                `json:"routeVersion"`
	Requester    int64              `json:"requester"`
	Status       Status             `json:"status"`
	Round        int                `json:"round"`   // 1, then +1 per resubmission
	Current      int                `json:"current"` // index of the pending stage; -1 unless pending
	Attrs        map[string]float64 `json:"attrs,omitempty"`
	Stages       []Stage            `json:"stages"`
	Version      int                `json:"version"` // 1 on submission, +1 per action
	History      []Entry            `json:"history"`
}

// Act is one person's action on a request: who, on which version they
// saw, with what comment, at what time (from the caller's clock).
type Act struct {
	Actor   int64
	Version int
	Comment string
	At      time.Time
}

// Submit starts a request with id (assigned by the caller; 0 is allowed
// if the caller fills it in after storing, together with the
// notifications' RequestID) from a resolution, at time at. Stages that
// are skipped are passed over; a request whose every stage is skipped is
// approved at once.
func Submit(id int64, res Resolution, at time.Time) (*Request, []Notification, error) {
	if err := checkResolution(res, at); err != nil {
		return nil, nil, err
	}
	r := &Request{ID: id, Kind: res.Kind, RouteKey: res.RouteKey, RouteVersion: res.RouteVersion,
		Requester: res.Requester, Round: 1, Version: 1, Current: -1}
	r.start(res)
	r.log(at, ActionSubmit, res.Requester, -1, "")
	return r, r.advance(0, at, nil), nil
}

// Approve records a's approval of the current stage. When the stage is
// complete (its one approver, any one of an any-stage, every approver of
// a countersign) the request moves to the next stage that is not
// skipped, or is approved after the last.
func (r *Request) Approve(a Act) ([]Notification, error) {
	comment, err := checkAct(a, false)
	if err != nil {
		return nil, err
	}
	if err := r.mayDecide(a.Actor); err != nil {
		return nil, err
	}
	if err := r.checkVersion(a); err != nil {
		return nil, err
	}
	st := &r.Stages[r.Current]
	st.Approved = append(st.Approved, a.Actor)
	r.log(a.At, ActionApprove, a.Actor, r.Current, comment)
	r.Version++
	if !st.complete() {
		return nil, nil
	}
	// Approvers of an any-stage who did not act have nothing left to do.
	notes := r.notifyWaiting(nil, st, EventClosed, a.Actor, "")
	return r.advance(r.Current+1, a.At, notes), nil
}

// Reject returns the request to its requester with a's comment, which is
// required. One rejection decides, whatever the stage's mode.
func (r *Request) Reject(a Act) ([]Notification, error) {
	comment, err := checkAct(a, true)
	if err != nil {
		return nil, err
	}
	if err := r.mayDecide(a.Actor); err != nil {
		return nil, err
	}
	if err := r.checkVersion(a); err != nil {
		return nil, err
	}
	st := &r.Stages[r.Current]
	r.log(a.At, ActionReject, a.Actor, r.Current, comment)
	notes := []Notification{r.note(r.Requester, EventRejected, r.Current, a.Actor, comment)}
	notes = r.notifyWaiting(notes, st, EventClosed, a.Actor, "")
	r.Status, r.Current = StatusRejected, -1
	r.Version++
	return notes, nil
}

// Recall withdraws the request; only its requester may, while it is
// pending or rejected. Recalled is final: asking again is a new request.
func (r *Request) Recall(a Act) ([]Notification, error) {
	comment, err := checkAct(a, false)
	if err != nil {
		return nil, err
	}
	if err := r.mayRecall(a.Actor); err != nil {
		return nil, err
	}
	if err := r.checkVersion(a); err != nil {
		return nil, err
	}
	var notes []Notification
	if r.Status == StatusPending {
		notes = r.notifyWaiting(nil, &r.Stages[r.Current], EventRecalled, a.Actor, comment)
	}
	r.log(a.At, ActionRecall, a.Actor, r.Current, comment)
	r.Status, r.Current = StatusRecalled, -1
	r.Version++
	return notes, nil
}

// Resubmit sends a rejected request through its route again from the
// first stage, with a new resolution: the requester may have edited the
// request (so its attributes and conditions may differ) and the
// organisation or the route's version may have changed since. Approvals
// of the earlier round do not carry over.
func (r *Request) Resubmit(a Act, res Resolution) ([]Notification, error) {
	comment, err := checkAct(a, false)
	if err != nil {
		return nil, err
	}
	if err := r.mayResubmit(a.Actor); err != nil {
		return nil, err
	}
	if err := checkResolution(res, a.At); err != nil {
		return nil, err
	}
	if res.Requester != r.Requester || res.Kind != r.Kind {
		return nil, platform.Invalid("resolution", fmt.Sprintf("重新提交须按同一申请人、同一申请类型（%s）解析审批路线 a resubmission must be resolved for the same requester and kind (%s)", r.Kind, r.Kind))
	}
	if err := r.checkVersion(a); err != nil {
		return nil, err
	}
	r.Round++
	r.RouteKey, r.RouteVersion = res.RouteKey, res.RouteVersion
	r.start(res)
	r.log(a.At, ActionResubmit, a.Actor, -1, comment)
	r.Version++
	return r.advance(0, a.At, nil), nil
}

// start puts a resolution's stages and attributes into the request, as
// copies: the request must not share slices with the caller's resolution.
func (r *Request) start(res Resolution) {
	r.Attrs = maps.Clone(res.Attrs)
	r.Stages = make([]Stage, len(res.Stages))
	for i, s := range res.Stages {
		s.Approvers = slices.Clone(s.Approvers)
		s.Approved = nil
		r.Stages[i] = s
	}
}

// advance makes the first stage from i on that is not skipped pending,
// logging the skipped ones, or approves the request when none is left.
func (r *Request) advance(i int, at time.Time, notes []Notification) []Notification {
	for ; i < len(r.Stages); i++ {
		st := &r.Stages[i]
		if !st.Skipped {
			r.Status, r.Current = StatusPending, i
			for _, id := range st.Approvers {
				notes = append(notes, r.note(id, EventPending, i, 0, ""))
			}
			return notes
		}
		r.log(at, ActionSkip, 0, i, st.NoteZh+" "+st.NoteEn)
	}
	r.Status, r.Current = StatusApproved, -1
	return append(notes, r.note(r.Requester, EventApproved, -1, 0, ""))
}

// notifyWaiting tells the approvers of st who had not acted (they still
// had the request in their inbox) that it left it.
func (r *Request) notifyWaiting(notes []Notification, st *Stage, ev Event, actor int64, comment string) []Notification {
	for _, id := range st.Approvers {
		if id != actor && !slices.Contains(st.Approved, id) {
			notes = append(notes, r.note(id, ev, r.Current, actor, comment))
		}
	}
	return notes
}

func (r *Request) log(at time.Time, action Action, actor int64, stage int, comment string) {
	e := Entry{At: at, Round: r.Round, Action: action, Actor: actor, Stage: stage, Comment: comment}
	if stage >= 0 {
		e.StageKey = r.Stages[stage].Key
	}
	r.History = append(r.History, e)
}

// mayDecide is whether actor may approve or reject now.
func (r *Request) mayDecide(actor int64) error {
	switch {
	case r.Status != StatusPending:
		if r.final() {
			return platform.Conflict(CodeFinal, "status", fmt.Sprintf("申请已%s，不能再审批 the request is %s; it cannot be acted on", statusZh(r.Status), r.Status))
		}
		return platform.Conflict(CodeNotPending, "status", "申请已退回申请人，不在审批中 the request was returned to its requester and is not pending")
	case actor == r.Requester:
		return platform.Denied("不能审批自己的申请 you cannot approve your own request")
	}
	st := &r.Stages[r.Current]
	if !slices.Contains(st.Approvers, actor) {
		for i := r.Current + 1; i < len(r.Stages); i++ {
			if slices.Contains(r.Stages[i].Approvers, actor) {
				return platform.Conflict(CodeNotYourTurn, "stage", fmt.Sprintf("申请正在「%s」步骤，尚未轮到您的「%s」步骤 the request is at step %s; your step %s comes later",
					st.NameZh, r.Stages[i].NameZh, st.Key, r.Stages[i].Key))
			}
		}
		return platform.Denied(fmt.Sprintf("您不是「%s」步骤的审批人 you are not an approver of step %s", st.NameZh, st.Key))
	}
	if slices.Contains(st.Approved, actor) {
		return platform.Conflict(CodeAlreadyActed, "stage", fmt.Sprintf("您已审批过「%s」步骤 you have already approved step %s", st.NameZh, st.Key))
	}
	return nil
}

func (r *Request) mayRecall(actor int64) error {
	if actor != r.Requester {
		return platform.Denied("只有申请人可以撤回申请 only the requester can recall a request")
	}
	if r.final() {
		return platform.Conflict(CodeFinal, "status", fmt.Sprintf("申请已%s，不能撤回 the request is %s and cannot be recalled", statusZh(r.Status), r.Status))
	}
	return nil
}

func (r *Request) mayResubmit(actor int64) error {
	switch {
	case actor != r.Requester:
		return platform.Denied("只有申请人可以重新提交申请 only the requester can resubmit a request")
	case r.final():
		return platform.Conflict(CodeFinal, "status", fmt.Sprintf("申请已%s，不能重新提交 the request is %s and cannot be resubmitted", statusZh(r.Status), r.Status))
	case r.Status != StatusRejected:
		return platform.Conflict(CodeNotRejected, "status", "申请仍在审批中，只有被退回的申请可以重新提交 the request is still pending; only a rejected request can be resubmitted")
	}
	return nil
}

func (r *Request) checkVersion(a Act) error {
	if a.Version != r.Version {
		return platform.Conflict(CodeStale, "version", fmt.Sprintf("申请已被更新（版本 %d，您看到的是 %d），请刷新后重试 the request has changed (version %d, you saw %d); reload and try again",
			r.Version, a.Version, r.Version, a.Version))
	}
	return nil
}

// checkAct checks what does not depend on the request; it returns the
// trimmed comment.
func checkAct(a Act, commentRequired bool) (string, error) {
	f := platform.Fields{}
	comment := strings.TrimSpace(a.Comment)
	if a.Actor <= 0 {
		f.Add("actor", "须指定操作人 the actor is required")
	}
	if a.At.IsZero() {
		f.Add("at", "须指定操作时间 the time of the action is required")
	}
	switch {
	case commentRequired && comment == "":
		f.Add("comment", "退回须填写意见 a rejection needs a comment")
	case !utf8.ValidString(comment) || utf8.RuneCountInString(comment) > maxComment:
		f.Add("comment", fmt.Sprintf("意见最多 %d 个字 a comment has at most %d characters", maxComment, maxComment))
	}
	return comment, f.Err()
}

// checkResolution refuses a resolution Resolve could not have produced,
// so a hand-built one cannot let a requester approve their own request or
// leave a stage nobody can complete.
func checkResolution(res Resolution, at time.Time) error {
	f := platform.Fields{}
	if at.IsZero() {
		f.Add("at", "须指定提交时间 the time of submission is required")
	}
	if res.Requester <= 0 {
		f.Add("requester", "须指定申请人 the requester is required")
	}
	if res.Kind == "" || res.RouteKey == "" {
		f.Add("route", "须指定申请类型和审批路线 the kind and route are required")
	}
	if len(res.Stages) == 0 {
		f.Add("stages", "审批路线没有步骤 the route has no step")
	}
	for i, s := range res.Stages {
		field := fmt.Sprintf("stages.%d", i)
		switch {
		case s.Skipped:
			if len(s.Approvers) > 0 {
				f.Add(field, "跳过的步骤不应有审批人 a skipped stage has no approver")
			}
		case len(s.Approvers) == 0:
			f.Add(field, "步骤没有审批人 the stage has no approver")
		case s.Mode != ModeSingle && s.Mode != ModeCountersign && s.Mode != ModeAny:
			f.Add(field, "审批方式无效 the mode is not valid")
		case s.Mode == ModeSingle && len(s.Approvers) != 1:
			f.Add(field, "单人审批的步骤须恰有一位审批人 a single-approver stage has exactly one approver")
		case slices.Contains(s.Approvers, res.Requester):
			f.Add(field, "申请人不能审批自己的申请 the requester cannot approve their own request")
		case slices.ContainsFunc(s.Approvers, func(id int64) bool { return id <= 0 }) || !strictlyAscending(s.Approvers):
			f.Add(field, "审批人须为不重复的正整数编号、按升序排列 approvers are distinct positive ids in ascending order")
		}
		if len(s.Approved) > 0 {
			f.Add(field, "新的一轮不应已有审批 a new round has no approval yet")
		}
	}
	return f.Err()
}

func strictlyAscending(ids []int64) bool {
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			return false
		}
	}
	return true
}

func errUnknownAction(a Action) error {
	return platform.Invalid("action", fmt.Sprintf("不能对申请执行 %q the action %q cannot be taken on a request", a, a))
}

func (r *Request) final() bool { return r.Status == StatusApproved || r.Status == StatusRecalled }

func statusZh(s Status) string {
	switch s {
	case StatusApproved:
		return "审批通过"
	case StatusRejected:
		return "退回"
	case StatusRecalled:
		return "撤回"
	}
	return "在审批中"
}
