package hub

import (
	"errors"
	"sort"
	"strings"
)

// Error codes, the same vocabulary as the HTTP API (CONTRACT.md section 1).
// They appear in the "code" of error frames and in RuleError.Code.
const (
	CodeBadRequest       = "bad_request"
	CodeForbidden        = "forbidden"
	CodeNotFound         = "not_found"
	CodeConflict         = "conflict"
	CodeValidationFailed = "validation_failed"
	CodeRateLimited      = "rate_limited"
	CodeInternal         = "internal"
)

// RuleError is an error a client may see: a malformed or invalid command, or
// one the game rules refuse. Code is one of the Code constants; Fields names
// each bad field for CodeValidationFailed. Message never carries data the
// sender may not see (it is the same for a hidden combatant and a missing
// one).
//
// Compare with errors.Is against the exported sentinels: a RuleError made
// for a sentinel (with its own message) matches that sentinel, and every
// RuleError matches the generic sentinel of its code (ErrNotFound,
// ErrConflict...).
type RuleError struct {
	Code    string
	Message string
	Fields  map[string]string

	kind *RuleError // the sentinel this error was made from; nil for sentinels
}

func (e *RuleError) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(e.Message)
	for i, k := range keys {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(k + " " + e.Fields[k])
	}
	return b.String()
}

// Is matches the sentinel e was made from and the generic sentinel of e's
// code.
func (e *RuleError) Is(target error) bool {
	t, ok := target.(*RuleError)
	if !ok {
		return false
	}
	if e == t || (e.kind != nil && e.kind == t) {
		return true
	}
	g := genericByCode[e.Code]
	return g != nil && g == t
}

func newRuleError(kind *RuleError, msg string) *RuleError {
	if msg == "" {
		msg = kind.Message
	}
	return &RuleError{Code: kind.Code, Message: msg, kind: kind}
}

// Generic sentinels, one per code.
var (
	// ErrBadCommand is a frame or command that is not well-formed: invalid
	// UTF-8 or JSON, not an object, an unknown type or field, a wrong type.
	ErrBadCommand = &RuleError{Code: CodeBadRequest, Message: "malformed command"}
	// ErrValidation is a well-formed command with invalid values; Fields
	// says which.
	ErrValidation = &RuleError{Code: CodeValidationFailed, Message: "invalid command"}
	// ErrForbidden is a member lacking the role or the ownership.
	ErrForbidden = &RuleError{Code: CodeForbidden, Message: "not allowed"}
	// ErrNotFound is a combatant, poll or option that does not exist or
	// that the sender may not see.
	ErrNotFound = &RuleError{Code: CodeNotFound, Message: "not found"}
	// ErrConflict is a command the current state does not allow.
	ErrConflict = &RuleError{Code: CodeConflict, Message: "conflict"}
	// ErrRateLimited is a connection over its command rate.
	ErrRateLimited = &RuleError{Code: CodeRateLimited, Message: "too many commands, slow down"}
	// ErrInternal is a failure of the server (the database); the command
	// may be retried with the same id.
	ErrInternal = &RuleError{Code: CodeInternal, Message: "internal error"}
)

var genericByCode = map[string]*RuleError{
	CodeBadRequest:       ErrBadCommand,
	CodeValidationFailed: ErrValidation,
	CodeForbidden:        ErrForbidden,
	CodeNotFound:         ErrNotFound,
	CodeConflict:         ErrConflict,
	CodeRateLimited:      ErrRateLimited,
	CodeInternal:         ErrInternal,
}

// Specific rule errors.
var (
	ErrNoCombat            = &RuleError{Code: CodeConflict, Message: "no combat is running"}
	ErrCombatRunning       = &RuleError{Code: CodeConflict, Message: "a combat is already running"}
	ErrCombatNotStarted    = &RuleError{Code: CodeConflict, Message: "the combat has not started"}
	ErrNoEligibleCombatant = &RuleError{Code: CodeConflict, Message: "no combatant can act"}
	ErrTooManyCombatants   = &RuleError{Code: CodeConflict, Message: "too many combatants"}
	ErrTooManyConditions   = &RuleError{Code: CodeConflict, Message: "too many conditions"}
	ErrNotYourTurn         = &RuleError{Code: CodeForbidden, Message: "it is not your turn"}
	ErrGMOnly              = &RuleError{Code: CodeForbidden, Message: "only a GM may do this"}
	ErrNotYourCombatant    = &RuleError{Code: CodeForbidden, Message: "not your combatant"}
	ErrCombatantNotFound   = &RuleError{Code: CodeNotFound, Message: "combatant not found"}
	ErrEncounterNotFound   = &RuleError{Code: CodeNotFound, Message: "encounter not found"}
	ErrPollNotFound        = &RuleError{Code: CodeNotFound, Message: "poll not found"}
	ErrOptionNotFound      = &RuleError{Code: CodeNotFound, Message: "poll option not found"}
	ErrPollClosed          = &RuleError{Code: CodeConflict, Message: "the poll is closed"}
)

// ErrShuttingDown is returned to callers of the Registry once Shutdown has
// begun; the HTTP layer answers 503.
var ErrShuttingDown = errors.New("hub: shutting down")

// ErrHubStopped is returned when the campaign's hub stopped (its state could
// not be loaded or saved) while a call was waiting for it; the HTTP layer
// answers 500 or 503, a client reconnects.
var ErrHubStopped = errors.New("hub: stopped")

// fieldErrors maps a command's data field to what is wrong with it.
type fieldErrors map[string]string

func (f *fieldErrors) add(field, msg string) {
	if *f == nil {
		*f = fieldErrors{}
	}
	if _, ok := (*f)[field]; !ok {
		(*f)[field] = msg
	}
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &RuleError{Code: CodeValidationFailed, Message: "invalid command", Fields: f, kind: ErrValidation}
}
