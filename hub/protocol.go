package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is the live wire protocol of CONTRACT.md section 7: the client
// envelope {"id","type","data"} with its decoder, the command data types
// with their validation, and the server messages.

// Command types a client may send.
const (
	TypeCombatStart          = "combat.start"
	TypeCombatAdd            = "combat.add"
	TypeCombatUpdate         = "combat.update"
	TypeCombatDamage         = "combat.damage"
	TypeCombatHeal           = "combat.heal"
	TypeCombatCondition      = "combat.condition"
	TypeCombatRollInitiative = "combat.rollInitiative"
	TypeCombatNext           = "combat.next"
	TypeCombatPrevious       = "combat.previous"
	TypeCombatRemove         = "combat.remove"
	TypeCombatEnd            = "combat.end"
	TypePollVote             = "poll.vote"
	TypePing                 = "ping"
)

// Limits of the protocol.
const (
	// MaxFrameBytes is the read limit per frame; a bigger frame closes the
	// connection with 1009.
	MaxFrameBytes = 64 << 10
	// maxCommandIDLen is the longest client message id, in characters.
	maxCommandIDLen = 128
	// maxDepth bounds the nesting of a client frame.
	maxDepth = 16
)

// newCommandData maps each command type to a constructor of its data.
var newCommandData = map[string]func() commandData{
	TypeCombatStart:          func() commandData { return &combatStartData{} },
	TypeCombatAdd:            func() commandData { return &combatAddData{} },
	TypeCombatUpdate:         func() commandData { return &combatUpdateData{} },
	TypeCombatDamage:         func() commandData { return &combatAmountData{} },
	TypeCombatHeal:           func() commandData { return &combatAmountData{} },
	TypeCombatCondition:      func() commandData { return &combatConditionData{} },
	TypeCombatRollInitiative: func() commandData { return &combatRollData{} },
	TypeCombatNext:           func() commandData { return &emptyData{} },
	TypeCombatPrevious:       func() commandData { return &emptyData{} },
	TypeCombatRemove:         func() commandData { return &combatRemoveData{} },
	TypeCombatEnd:            func() commandData { return &combatEndData{} },
	TypePollVote:             func() commandData { return &pollVoteData{} },
	TypePing:                 func() commandData { return &emptyData{} },
}

// clientMessage is one decoded client frame.
type clientMessage struct {
	ID   string
	Type string
	Data commandData
}

// commandData is the typed data of one command type. Its fields are
// pointers (nil: absent) of type *string, *int, *bool or *[]string, with a
// json tag naming the wire field; decodeData and appendData work on them
// generically.
type commandData interface {
	// validate reports the fields whose values are invalid; it does not
	// look at the game state.
	validate() fieldErrors
}

// badCommand makes an ErrBadCommand with a specific message.
func badCommand(format string, args ...any) *RuleError {
	return newRuleError(ErrBadCommand, fmt.Sprintf(format, args...))
}

// decodeClientMessage decodes and shape-checks one client frame. Every error
// it returns wraps ErrBadCommand (a *RuleError with code bad_request). When
// the frame's id could be read, the returned message carries it even with
// an error, so that the error frame can echo it. It does not validate
// values: call Data.validate.
func decodeClientMessage(b []byte) (clientMessage, error) {
	var m clientMessage
	v, err := parseJSON(b)
	if err != nil {
		return m, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return m, badCommand("message must be a JSON object")
	}
	if id, ok := obj["id"]; ok {
		s, ok := id.(string)
		if !ok {
			return m, badCommand("id must be a string")
		}
		if n := utf8.RuneCountInString(s); n < 1 || n > maxCommandIDLen || hasControl(s) {
			return m, badCommand("id must be 1 to %d characters", maxCommandIDLen)
		}
		m.ID = s
	}
	for k := range obj {
		if k != "id" && k != "type" && k != "data" {
			return m, badCommand("unknown field %s", quoteField(k))
		}
	}
	t, ok := obj["type"]
	if !ok {
		return m, badCommand("type is required")
	}
	if m.Type, ok = t.(string); !ok {
		m.Type = ""
		return m, badCommand("type must be a string")
	}
	mk := newCommandData[m.Type]
	if mk == nil {
		typ := m.Type
		m.Type = ""
		return m, badCommand("unknown command type %s", quoteField(typ))
	}
	if m.ID == "" {
		return m, badCommand("id is required")
	}
	var data map[string]any
	if d, ok := obj["data"]; ok && d != nil {
		if data, ok = d.(map[string]any); !ok {
			return m, badCommand("data must be an object")
		}
	}
	m.Data = mk()
	if err := decodeData(data, m.Data); err != nil {
		return m, err
	}
	return m, nil
}

// decodeCommandData decodes the data of a command given outside a frame
// (Registry.Do). raw may be empty for "no data".
func decodeCommandData(typ string, raw []byte) (commandData, error) {
	mk := newCommandData[typ]
	if mk == nil {
		return nil, badCommand("unknown command type %s", quoteField(typ))
	}
	var data map[string]any
	if len(bytes.TrimSpace(raw)) > 0 {
		v, err := parseJSON(raw)
		if err != nil {
			return nil, err
		}
		if v != nil {
			var ok bool
			if data, ok = v.(map[string]any); !ok {
				return nil, badCommand("data must be an object")
			}
		}
	}
	d := mk()
	if err := decodeData(data, d); err != nil {
		return nil, err
	}
	return d, nil
}

// appendClientMessage encodes m as the client would send it. It is the
// inverse of decodeClientMessage for valid messages (used by the fuzz test,
// the tests' fake clients and the load generator's documentation).
func appendClientMessage(b []byte, m clientMessage) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, m.ID)
	b = append(b, `,"type":`...)
	b = appendString(b, m.Type)
	b = append(b, `,"data":`...)
	b = appendData(b, m.Data)
	return append(b, '}')
}

// parseJSON parses b into generic values (map[string]any, []any, string,
// json.Number, bool, nil). Unlike encoding/json it refuses invalid UTF-8
// (rather than replacing it), duplicate keys, nesting deeper than maxDepth
// and trailing data. Every error wraps ErrBadCommand.
func parseJSON(b []byte) (any, error) {
	if !utf8.Valid(b) {
		return nil, badCommand("message is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := parseValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badCommand("invalid JSON: data after the message")
	}
	return v, nil
}

func parseValue(dec *json.Decoder, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, badCommand("invalid JSON")
	}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= maxDepth {
			return nil, badCommand("invalid JSON: nested too deeply")
		}
		switch t {
		case '{':
			obj := map[string]any{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, badCommand("invalid JSON")
				}
				k, ok := kt.(string)
				if !ok {
					return nil, badCommand("invalid JSON")
				}
				if _, dup := obj[k]; dup {
					return nil, badCommand("invalid JSON: duplicate key %s", quoteField(k))
				}
				v, err := parseValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				obj[k] = v
			}
			if _, err := dec.Token(); err != nil {
				return nil, badCommand("invalid JSON")
			}
			return obj, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := parseValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, badCommand("invalid JSON")
			}
			return arr, nil
		}
		return nil, badCommand("invalid JSON")
	default:
		return t, nil // string, json.Number, bool, nil
	}
}

// quoteField quotes a client-supplied name for an error message, cut to a
// readable length.
func quoteField(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

// hasControl reports whether s holds a control character (which includes
// NUL, which PostgreSQL text cannot store).
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}

// decodeData fills the pointer fields of dst (a pointer to a command data
// struct) from obj. Unknown fields and wrong types are ErrBadCommand; JSON
// null is the same as an absent field.
func decodeData(obj map[string]any, dst commandData) error {
	rv := reflect.ValueOf(dst).Elem()
	rt := rv.Type()
	known := 0
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		name := f.Tag.Get("json")
		v, ok := obj[name]
		if !ok {
			continue
		}
		known++
		if v == nil {
			continue
		}
		fv := rv.Field(i)
		switch f.Type {
		case reflect.TypeFor[*string]():
			s, ok := v.(string)
			if !ok {
				return badCommand("data.%s must be a string", name)
			}
			fv.Set(reflect.ValueOf(&s))
		case reflect.TypeFor[*bool]():
			bv, ok := v.(bool)
			if !ok {
				return badCommand("data.%s must be true or false", name)
			}
			fv.Set(reflect.ValueOf(&bv))
		case reflect.TypeFor[*int]():
			n, ok := v.(json.Number)
			if !ok {
				return badCommand("data.%s must be a number", name)
			}
			iv, ok := numberToInt(n)
			if !ok {
				return badCommand("data.%s must be a whole number", name)
			}
			fv.Set(reflect.ValueOf(&iv))
		case reflect.TypeFor[*[]string]():
			arr, ok := v.([]any)
			if !ok {
				return badCommand("data.%s must be an array of strings", name)
			}
			ss := make([]string, 0, len(arr))
			for _, e := range arr {
				s, ok := e.(string)
				if !ok {
					return badCommand("data.%s must be an array of strings", name)
				}
				ss = append(ss, s)
			}
			fv.Set(reflect.ValueOf(&ss))
		default:
			panic("developer error: unsupported command field type " + f.Type.String())
		}
	}
	if known != len(obj) {
	next:
		for k := range obj {
			for i := 0; i < rt.NumField(); i++ {
				if rt.Field(i).Tag.Get("json") == k {
					continue next
				}
			}
			return badCommand("unknown field %s", quoteField("data."+k))
		}
	}
	return nil
}

// appendData encodes the set fields of a command data struct.
func appendData(b []byte, src commandData) []byte {
	rv := reflect.ValueOf(src).Elem()
	rt := rv.Type()
	b = append(b, '{')
	first := true
	for i := 0; i < rt.NumField(); i++ {
		fv := rv.Field(i)
		if fv.IsNil() {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, rt.Field(i).Tag.Get("json"))
		b = append(b, ':')
		switch v := fv.Interface().(type) {
		case *string:
			b = appendString(b, *v)
		case *bool:
			b = strconv.AppendBool(b, *v)
		case *int:
			b = strconv.AppendInt(b, int64(*v), 10)
		case *[]string:
			b = appendJSON(b, *v)
		}
	}
	return append(b, '}')
}

// numberToInt converts a JSON number to an int. Integral values written
// with a fraction or an exponent (1.0, 1e3) are accepted; values beyond the
// int range are clamped to it, so that validation reports them as out of
// range. ok is false for a number with a fractional part.
func numberToInt(n json.Number) (v int, ok bool) {
	s := string(n)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return int(i), true
	} else if errors.Is(err, strconv.ErrRange) {
		if strings.HasPrefix(s, "-") {
			return math.MinInt, true
		}
		return math.MaxInt, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	switch {
	case math.IsInf(f, 1) || f >= math.MaxInt64:
		return math.MaxInt, true
	case math.IsInf(f, -1) || f <= math.MinInt64:
		return math.MinInt, true
	case f != math.Trunc(f):
		return 0, false
	}
	return int(f), true
}

// Command data types. Ranges come from CONTRACT.md section 7 and the
// schema's CHECK constraints.

const (
	maxHP           = 100000
	maxNameLen      = 80
	minInitiative   = -100
	maxInitiative   = 1000
	maxInitBonus    = 100
	maxAC           = 100
	maxConditionLen = 40
	maxRounds       = 1000
	maxOutcomeLen   = 200
	maxIDList       = 200
)

type combatStartData struct {
	EncounterID    *string `json:"encounterId"`
	IncludePlayers *bool   `json:"includePlayers"`
}

func (d *combatStartData) validate() (f fieldErrors) {
	if d.EncounterID != nil {
		checkID(&f, "encounterId", *d.EncounterID)
	}
	return f
}

type combatAddData struct {
	Name            *string `json:"name"`
	Kind            *string `json:"kind"`
	HP              *int    `json:"hp"`
	MaxHP           *int    `json:"maxHp"`
	AC              *int    `json:"ac"`
	Initiative      *int    `json:"initiative"`
	InitiativeBonus *int    `json:"initiativeBonus"`
	Hidden          *bool   `json:"hidden"`
	MonsterID       *string `json:"monsterId"`
	UserID          *string `json:"userId"`
	// NPCID links the combatant to an NPC of the campaign's codex: the NPC
	// then appears in the session of the combat's encounter (issue 7).
	NPCID *string `json:"npcId"`
}

func (d *combatAddData) validate() (f fieldErrors) {
	if d.Name == nil {
		f.add("name", "is required")
	} else {
		checkName(&f, "name", *d.Name)
	}
	switch {
	case d.Kind == nil:
		f.add("kind", "is required")
	case *d.Kind != kindPC && *d.Kind != kindMonster && *d.Kind != kindNPC:
		f.add("kind", `must be "pc", "monster" or "npc"`)
	}
	if d.HP == nil {
		f.add("hp", "is required")
	}
	if d.MaxHP == nil {
		f.add("maxHp", "is required")
	}
	checkRange(&f, "hp", d.HP, 0, maxHP)
	checkRange(&f, "maxHp", d.MaxHP, 0, maxHP)
	checkRange(&f, "ac", d.AC, 0, maxAC)
	checkRange(&f, "initiative", d.Initiative, minInitiative, maxInitiative)
	checkRange(&f, "initiativeBonus", d.InitiativeBonus, -maxInitBonus, maxInitBonus)
	if d.MonsterID != nil {
		checkID(&f, "monsterId", *d.MonsterID)
	}
	if d.UserID != nil {
		checkID(&f, "userId", *d.UserID)
	}
	if d.NPCID != nil {
		checkID(&f, "npcId", *d.NPCID)
	}
	return f
}

type combatUpdateData struct {
	CombatantID     *string `json:"combatantId"`
	Name            *string `json:"name"`
	HP              *int    `json:"hp"`
	MaxHP           *int    `json:"maxHp"`
	TempHP          *int    `json:"tempHp"`
	AC              *int    `json:"ac"`
	Initiative      *int    `json:"initiative"`
	InitiativeBonus *int    `json:"initiativeBonus"`
	Hidden          *bool   `json:"hidden"`
}

func (d *combatUpdateData) validate() (f fieldErrors) {
	checkRequiredID(&f, "combatantId", d.CombatantID)
	if d.Name != nil {
		checkName(&f, "name", *d.Name)
	}
	checkRange(&f, "hp", d.HP, 0, maxHP)
	checkRange(&f, "maxHp", d.MaxHP, 0, maxHP)
	checkRange(&f, "tempHp", d.TempHP, 0, maxHP)
	checkRange(&f, "ac", d.AC, 0, maxAC)
	checkRange(&f, "initiative", d.Initiative, minInitiative, maxInitiative)
	checkRange(&f, "initiativeBonus", d.InitiativeBonus, -maxInitBonus, maxInitBonus)
	return f
}

// combatAmountData is the data of combat.damage and combat.heal.
type combatAmountData struct {
	CombatantID *string `json:"combatantId"`
	Amount      *int    `json:"amount"`
}

func (d *combatAmountData) validate() (f fieldErrors) {
	checkRequiredID(&f, "combatantId", d.CombatantID)
	if d.Amount == nil {
		f.add("amount", "is required")
	}
	checkRange(&f, "amount", d.Amount, 0, maxHP)
	return f
}

type combatConditionData struct {
	CombatantID *string `json:"combatantId"`
	Condition   *string `json:"condition"`
	Active      *bool   `json:"active"`
	Rounds      *int    `json:"rounds"`
}

func (d *combatConditionData) validate() (f fieldErrors) {
	checkRequiredID(&f, "combatantId", d.CombatantID)
	switch {
	case d.Condition == nil:
		f.add("condition", "is required")
	default:
		n := utf8.RuneCountInString(*d.Condition)
		if n < 1 || n > maxConditionLen || hasControl(*d.Condition) || strings.TrimSpace(*d.Condition) != *d.Condition {
			f.add("condition", fmt.Sprintf("must be 1 to %d characters without surrounding spaces", maxConditionLen))
		}
	}
	if d.Active == nil {
		f.add("active", "is required")
	}
	checkRange(&f, "rounds", d.Rounds, 1, maxRounds)
	return f
}

type combatRollData struct {
	CombatantIDs *[]string `json:"combatantIds"`
}

func (d *combatRollData) validate() (f fieldErrors) {
	if d.CombatantIDs == nil {
		return nil
	}
	if len(*d.CombatantIDs) > maxIDList {
		f.add("combatantIds", fmt.Sprintf("must hold at most %d ids", maxIDList))
		return f
	}
	for _, id := range *d.CombatantIDs {
		if !validID(id) {
			f.add("combatantIds", "must hold combatant ids")
			break
		}
	}
	return f
}

type combatRemoveData struct {
	CombatantID *string `json:"combatantId"`
}

func (d *combatRemoveData) validate() (f fieldErrors) {
	checkRequiredID(&f, "combatantId", d.CombatantID)
	return f
}

type combatEndData struct {
	Outcome *string `json:"outcome"`
}

func (d *combatEndData) validate() (f fieldErrors) {
	if d.Outcome != nil {
		if utf8.RuneCountInString(*d.Outcome) > maxOutcomeLen || strings.ContainsRune(*d.Outcome, 0) {
			f.add("outcome", fmt.Sprintf("must be at most %d characters", maxOutcomeLen))
		}
	}
	return f
}

type pollVoteData struct {
	PollID   *string `json:"pollId"`
	OptionID *string `json:"optionId"`
	Answer   *string `json:"answer"`
}

func (d *pollVoteData) validate() (f fieldErrors) {
	checkRequiredID(&f, "pollId", d.PollID)
	checkRequiredID(&f, "optionId", d.OptionID)
	switch {
	case d.Answer == nil:
		f.add("answer", "is required")
	case *d.Answer != "yes" && *d.Answer != "maybe" && *d.Answer != "no" && *d.Answer != "none":
		f.add("answer", `must be "yes", "maybe", "no" or "none"`)
	}
	return f
}

// emptyData is the data of commands that take none (combat.next,
// combat.previous, ping).
type emptyData struct{}

func (*emptyData) validate() fieldErrors { return nil }

func checkRange(f *fieldErrors, field string, v *int, lo, hi int) {
	if v != nil && (*v < lo || *v > hi) {
		f.add(field, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
	}
}

func checkName(f *fieldErrors, field, s string) {
	t := strings.TrimSpace(s)
	if n := utf8.RuneCountInString(t); n < 1 || n > maxNameLen || hasControl(s) {
		f.add(field, fmt.Sprintf("must be 1 to %d characters", maxNameLen))
	}
}

func checkRequiredID(f *fieldErrors, field string, s *string) {
	if s == nil {
		f.add(field, "is required")
		return
	}
	checkID(f, field, *s)
}

func checkID(f *fieldErrors, field, s string) {
	if !validID(s) {
		f.add(field, "must be an id")
	}
}

// validID reports whether s looks like one of our ids: a UUID in its
// canonical lowercase text form. Ids are opaque to clients, but anything
// else cannot name a row.
func validID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// Server messages. Each implements outbound; encode turns one into the
// bytes of one JSON line, once, and the same bytes go to every connection
// that should receive them.

// outbound is a message the server sends. The unexported method keeps any
// other type (a database row, a state struct) from being sent by mistake.
type outbound interface {
	appendTo(b []byte) []byte
	outbound()
}

var (
	_ outbound = snapshotMsg{}
	_ outbound = resumedMsg{}
	_ outbound = patchMsg{}
	_ outbound = ackMsg{}
	_ outbound = errorMsg{}
	_ outbound = pongMsg{}
)

// encode returns the wire form of m.
func encode(m outbound) []byte {
	return m.appendTo(make([]byte, 0, 128))
}

// snapshotMsg is the whole state of a view at seq.
type snapshotMsg struct {
	Epoch string
	Seq   int64
	View  View
	State []byte // the encoded state document
}

func (snapshotMsg) outbound() {}
func (m snapshotMsg) appendTo(b []byte) []byte {
	b = append(b, `{"type":"snapshot","epoch":`...)
	b = appendString(b, m.Epoch)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, m.Seq, 10)
	b = append(b, `,"view":`...)
	b = appendString(b, string(m.View))
	b = append(b, `,"state":`...)
	b = append(b, m.State...)
	return append(b, '}')
}

// resumedMsg says that the patches after Seq follow.
type resumedMsg struct {
	Epoch string
	Seq   int64
}

func (resumedMsg) outbound() {}
func (m resumedMsg) appendTo(b []byte) []byte {
	b = append(b, `{"type":"resumed","epoch":`...)
	b = appendString(b, m.Epoch)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, m.Seq, 10)
	return append(b, '}')
}

// patchMsg is the merge patch that takes a view from Seq-1 to Seq.
type patchMsg struct {
	Seq   int64
	Patch []byte // the encoded merge patch
}

func (patchMsg) outbound() {}
func (m patchMsg) appendTo(b []byte) []byte {
	b = append(b, `{"type":"patch","seq":`...)
	b = strconv.AppendInt(b, m.Seq, 10)
	b = append(b, `,"patch":`...)
	b = append(b, m.Patch...)
	return append(b, '}')
}

// ackMsg confirms a command; Seq carries its effect in the receiver's view.
type ackMsg struct {
	ID     string
	Seq    int64
	Result []byte // an encoded object; nil is {}
}

func (ackMsg) outbound() {}
func (m ackMsg) appendTo(b []byte) []byte {
	b = append(b, `{"type":"ack","id":`...)
	b = appendString(b, m.ID)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, m.Seq, 10)
	b = append(b, `,"result":`...)
	if len(m.Result) == 0 {
		b = append(b, "{}"...)
	} else {
		b = append(b, m.Result...)
	}
	return append(b, '}')
}

// errorMsg refuses a command (ID set) or a frame (ID empty when the frame
// had none).
type errorMsg struct {
	ID      string
	Code    string
	Message string
	Fields  map[string]string
}

func (errorMsg) outbound() {}
func (m errorMsg) appendTo(b []byte) []byte {
	b = append(b, `{"type":"error"`...)
	if m.ID != "" {
		b = append(b, `,"id":`...)
		b = appendString(b, m.ID)
	}
	b = append(b, `,"code":`...)
	b = appendString(b, m.Code)
	b = append(b, `,"message":`...)
	b = appendString(b, m.Message)
	if len(m.Fields) > 0 {
		d := make(doc, len(m.Fields))
		for k, v := range m.Fields {
			d[k] = v
		}
		b = append(b, `,"fields":`...)
		b = appendDoc(b, d)
	}
	return append(b, '}')
}

// errorFor builds the error frame for err, answering the command id. Errors
// that are not RuleErrors are internal: their text is not shown.
func errorFor(id string, err error) errorMsg {
	var re *RuleError
	if errors.As(err, &re) {
		return errorMsg{ID: id, Code: re.Code, Message: re.Message, Fields: re.Fields}
	}
	return errorMsg{ID: id, Code: CodeInternal, Message: ErrInternal.Message}
}

// pongMsg answers a ping.
type pongMsg struct {
	ID string
}

func (pongMsg) outbound() {}
func (m pongMsg) appendTo(b []byte) []byte {
	b = append(b, `{"type":"pong","id":`...)
	b = appendString(b, m.ID)
	return append(b, '}')
}
