package hub

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const someID = "0f8fad5b-d9cb-469f-a165-70867728950e"

func TestDecodeClientMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantErr string // substring of the message; "" for success
		wantID  string
		check   func(t *testing.T, m clientMessage)
	}{
		{name: "Damage", in: `{"id":"c17","type":"combat.damage","data":{"combatantId":"` + someID + `","amount":7}}`, wantID: "c17",
			check: func(t *testing.T, m clientMessage) {
				d := m.Data.(*combatAmountData)
				require.Equal(t, someID, *d.CombatantID)
				require.Equal(t, 7, *d.Amount)
			}},
		{name: "NoData", in: `{"id":"x","type":"combat.next"}`, wantID: "x"},
		{name: "NullData", in: `{"id":"x","type":"combat.next","data":null}`, wantID: "x"},
		{name: "NullFieldIsAbsent", in: `{"id":"x","type":"combat.update","data":{"combatantId":"` + someID + `","ac":null}}`, wantID: "x",
			check: func(t *testing.T, m clientMessage) { require.Nil(t, m.Data.(*combatUpdateData).AC) }},
		{name: "IntegralFloat", in: `{"id":"x","type":"combat.heal","data":{"amount":2.0,"combatantId":"` + someID + `"}}`, wantID: "x",
			check: func(t *testing.T, m clientMessage) { require.Equal(t, 2, *m.Data.(*combatAmountData).Amount) }},
		{name: "HugeNumberClamped", in: `{"id":"x","type":"combat.heal","data":{"amount":1e400}}`, wantID: "x",
			check: func(t *testing.T, m clientMessage) {
				require.ErrorIs(t, m.Data.validate().err(), ErrValidation)
			}},
		{name: "InvalidUTF8", in: "{\"id\":\"x\",\"type\":\"ping\",\"data\":{\"a\":\"\xff\"}}", wantErr: "not valid UTF-8"},
		{name: "NotJSON", in: `{"id":`, wantErr: "invalid JSON"},
		{name: "Empty", in: ``, wantErr: "invalid JSON"},
		{name: "Trailing", in: `{"id":"x","type":"ping"} {}`, wantErr: "after the message"},
		{name: "Array", in: `[1,2]`, wantErr: "must be a JSON object"},
		{name: "String", in: `"ping"`, wantErr: "must be a JSON object"},
		{name: "DuplicateKey", in: `{"id":"a","type":"ping","type":"ping"}`, wantErr: "duplicate key"},
		{name: "UnknownType", in: `{"id":"a","type":"combat.explode"}`, wantErr: "unknown command type", wantID: "a"},
		{name: "MissingType", in: `{"id":"a"}`, wantErr: "type is required", wantID: "a"},
		{name: "TypeNotString", in: `{"id":"a","type":7}`, wantErr: "type must be a string", wantID: "a"},
		{name: "MissingID", in: `{"type":"ping"}`, wantErr: "id is required"},
		{name: "IDNotString", in: `{"id":5,"type":"ping"}`, wantErr: "id must be a string"},
		{name: "IDTooLong", in: `{"id":"` + strings.Repeat("x", 129) + `","type":"ping"}`, wantErr: "id must be"},
		{name: "IDControl", in: `{"id":"a\u0000","type":"ping"}`, wantErr: "id must be"},
		{name: "UnknownEnvelopeField", in: `{"id":"a","type":"ping","extra":1}`, wantErr: "unknown field", wantID: "a"},
		{name: "DataNotObject", in: `{"id":"a","type":"ping","data":[]}`, wantErr: "data must be an object", wantID: "a"},
		{name: "UnknownDataField", in: `{"id":"a","type":"combat.next","data":{"x":1}}`, wantErr: `unknown field "data.x"`, wantID: "a"},
		{name: "WrongTypeString", in: `{"id":"a","type":"combat.damage","data":{"combatantId":5}}`, wantErr: "data.combatantId must be a string", wantID: "a"},
		{name: "WrongTypeNumber", in: `{"id":"a","type":"combat.damage","data":{"amount":"5"}}`, wantErr: "data.amount must be a number", wantID: "a"},
		{name: "WrongTypeBool", in: `{"id":"a","type":"combat.condition","data":{"active":1}}`, wantErr: "data.active must be true or false", wantID: "a"},
		{name: "WrongTypeList", in: `{"id":"a","type":"combat.rollInitiative","data":{"combatantIds":[1]}}`, wantErr: "array of strings", wantID: "a"},
		{name: "Fraction", in: `{"id":"a","type":"combat.damage","data":{"amount":1.5}}`, wantErr: "whole number", wantID: "a"},
		{name: "TooDeep", in: `{"id":"a","type":"ping","data":{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}}`, wantErr: "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := decodeClientMessage([]byte(tt.in))
			require.Equal(t, tt.wantID, m.ID)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, ErrBadCommand)
				require.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		typ        string
		data       string
		wantFields []string
	}{
		{"AddOK", TypeCombatAdd, `{"name":"Ogre","kind":"monster","hp":59,"maxHp":59}`, nil},
		{"AddMissing", TypeCombatAdd, `{}`, []string{"name", "kind", "hp", "maxHp"}},
		{"AddRanges", TypeCombatAdd, `{"name":"` + strings.Repeat("n", 81) + `","kind":"dragon","hp":-1,"maxHp":100001,"ac":101,"initiativeBonus":101,"initiative":1001,"monsterId":"x","userId":"y"}`,
			[]string{"name", "kind", "hp", "maxHp", "ac", "initiativeBonus", "initiative", "monsterId", "userId"}},
		{"AddBlankName", TypeCombatAdd, `{"name":"   ","kind":"pc","hp":1,"maxHp":1}`, []string{"name"}},
		{"AddNameEightyRunes", TypeCombatAdd, `{"name":"` + strings.Repeat("é", 80) + `","kind":"pc","hp":1,"maxHp":1}`, nil},
		{"DamageOK", TypeCombatDamage, `{"combatantId":"` + someID + `","amount":100000}`, nil},
		{"DamageTooMuch", TypeCombatDamage, `{"combatantId":"` + someID + `","amount":100001}`, []string{"amount"}},
		{"DamageBadID", TypeCombatDamage, `{"combatantId":"` + strings.ToUpper(someID) + `","amount":1}`, []string{"combatantId"}},
		{"HealMissing", TypeCombatHeal, `{}`, []string{"combatantId", "amount"}},
		{"ConditionOK", TypeCombatCondition, `{"combatantId":"` + someID + `","condition":"poisoned","active":true,"rounds":3}`, nil},
		{"ConditionBad", TypeCombatCondition, `{"combatantId":"` + someID + `","condition":" x","rounds":0}`, []string{"condition", "active", "rounds"}},
		{"RollTooMany", TypeCombatRollInitiative, `{"combatantIds":[` + strings.Repeat(`"`+someID+`",`, 200) + `"` + someID + `"]}`, []string{"combatantIds"}},
		{"RollBadID", TypeCombatRollInitiative, `{"combatantIds":["nope"]}`, []string{"combatantIds"}},
		{"UpdateRanges", TypeCombatUpdate, `{"combatantId":"` + someID + `","tempHp":-3,"ac":-1}`, []string{"tempHp", "ac"}},
		{"EndLongOutcome", TypeCombatEnd, `{"outcome":"` + strings.Repeat("o", 201) + `"}`, []string{"outcome"}},
		{"VoteBadAnswer", TypePollVote, `{"pollId":"` + someID + `","optionId":"` + someID + `","answer":"YES"}`, []string{"answer"}},
		{"StartBadEncounter", TypeCombatStart, `{"encounterId":"e1"}`, []string{"encounterId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := decodeCommandData(tt.typ, []byte(tt.data))
			require.NoError(t, err)
			f := d.validate()
			var got []string
			for k := range f {
				got = append(got, k)
			}
			require.ElementsMatch(t, tt.wantFields, got, "fields: %v", f)
			if len(tt.wantFields) > 0 {
				err := f.err()
				require.ErrorIs(t, err, ErrValidation)
				var re *RuleError
				require.True(t, errors.As(err, &re))
				require.Equal(t, CodeValidationFailed, re.Code)
			}
		})
	}
}

func TestEncodeOutbound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		msg  outbound
		want string
	}{
		{"Snapshot", snapshotMsg{Epoch: "e1", Seq: 41, View: ViewGM, State: []byte(`{"a":1}`)},
			`{"type":"snapshot","epoch":"e1","seq":41,"view":"gm","state":{"a":1}}`},
		{"Resumed", resumedMsg{Epoch: "e1", Seq: 41}, `{"type":"resumed","epoch":"e1","seq":41}`},
		{"Patch", patchMsg{Seq: 42, Patch: []byte(`{"b":null}`)}, `{"type":"patch","seq":42,"patch":{"b":null}}`},
		{"Ack", ackMsg{ID: "c17", Seq: 42, Result: []byte(`{"combatantId":"x"}`)}, `{"type":"ack","id":"c17","seq":42,"result":{"combatantId":"x"}}`},
		{"AckNoResult", ackMsg{ID: "c17", Seq: 42}, `{"type":"ack","id":"c17","seq":42,"result":{}}`},
		{"Error", errorMsg{ID: "c17", Code: CodeForbidden, Message: "it is \"not\" your turn"},
			`{"type":"error","id":"c17","code":"forbidden","message":"it is \"not\" your turn"}`},
		{"ErrorFields", errorMsg{ID: "c", Code: CodeValidationFailed, Message: "invalid command", Fields: map[string]string{"b": "x", "a": "y"}},
			`{"type":"error","id":"c","code":"validation_failed","message":"invalid command","fields":{"a":"y","b":"x"}}`},
		{"ErrorNoID", errorMsg{Code: CodeBadRequest, Message: "invalid JSON"}, `{"type":"error","code":"bad_request","message":"invalid JSON"}`},
		{"Pong", pongMsg{ID: "p\n1"}, `{"type":"pong","id":"p\n1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := encode(tt.msg)
			require.Equal(t, tt.want, string(got))
			require.True(t, json.Valid(got))
		})
	}

	t.Run("ErrorForHidesInternals", func(t *testing.T) {
		t.Parallel()
		m := errorFor("c1", errors.New("pq: connection refused to 10.0.0.1"))
		require.Equal(t, errorMsg{ID: "c1", Code: CodeInternal, Message: "internal error"}, m)
	})
}

func TestAppendString(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", "quote\"back\\slash", "ctl\x00\x01\x1f\n\r\t", "é🎲", "bad\xffutf8", "\u2028\u2029", "<&>"} {
		b := appendString(nil, s)
		var got string
		require.NoError(t, json.Unmarshal(b, &got), "%q → %s", s, b)
		want, _ := json.Marshal(s)
		var wantS string
		require.NoError(t, json.Unmarshal(want, &wantS))
		require.Equal(t, wantS, got)
	}
}

// FuzzDecodeClientMessage checks that decoding never panics, fails only
// with ErrBadCommand, and that decode → encode → decode is stable.
func FuzzDecodeClientMessage(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeClientMessage(b)
		if err != nil {
			if !errors.Is(err, ErrBadCommand) {
				t.Fatalf("error does not wrap ErrBadCommand: %v", err)
			}
			var re *RuleError
			if !errors.As(err, &re) || re.Code != CodeBadRequest {
				t.Fatalf("error is not a bad_request RuleError: %v", err)
			}
			return
		}
		_ = m.Data.validate() // must not panic either
		enc := appendClientMessage(nil, m)
		if !json.Valid(enc) {
			t.Fatalf("encoding is not JSON: %s", enc)
		}
		m2, err := decodeClientMessage(enc)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", enc, err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("unstable round trip:\n in  %s\n out %s", b, enc)
		}
		if enc2 := appendClientMessage(nil, m2); string(enc2) != string(enc) {
			t.Fatalf("unstable encoding:\n %s\n %s", enc, enc2)
		}
	})
}
