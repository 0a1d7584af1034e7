// Package approval is the pure core of approval routes (审批流程, SPEC §10,
// issue 5 §4): no database, no HTTP, no clock of its own. Leave requests,
// plans, outcome confirmations and pay reports use it alike.
//
// It holds three things:
//
//   - Routes as data. A Route is versioned configuration, like the other
//     rules: an ordered list of steps, each naming who approves (a
//     position in the requester's team, region, branch or institution, a
//     role whose holders the caller supplies, or named people), how many
//     of them must approve (single, countersign 会签, any 或签), and
//     optionally when the step applies (a threshold on a numeric attribute
//     of the request, or an expr boolean). Compile checks a route once and
//     gives a Flow.
//   - Resolution. Flow.Resolve turns a route into the stages of one
//     request against an organisation snapshot (Org, built on the
//     assessment package's org model): who approves each stage, which
//     stages are skipped and why. The requester never approves their own
//     request. The result is frozen into the request, so the inbox of a
//     person is a property of the stored requests, not of today's
//     organisation.
//   - The request state machine. Submit, Approve, Reject, Recall and
//     Resubmit move a Request between pending (at a stage), approved,
//     rejected and recalled, append to its history, bump its optimistic
//     version and return the notifications the caller stores. A refused
//     action changes nothing.
//
// Times are passed in by the caller (its injected clock), never read here.
// See docs/decisions/0017-approval-routes.md for the choices made.
package approval
