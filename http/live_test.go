package http

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"gametable/compendium"
	"gametable/hub"
)

// newHubTestServer is a test server whose live table is a real hub.
func newHubTestServer(t *testing.T) *testServer {
	t.Helper()
	return newTestServer(t, func(o *Options) {
		reg, err := hub.NewRegistry(hub.Options{Pool: o.Pool, Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = reg.Shutdown(ctx)
		})
		o.Live = nil
		o.Hub = reg
	})
}

// liveConn is a client's live connection through the real /live route.
type liveConn struct {
	t    *testing.T
	conn *websocket.Conn
	// frames holds the raw frames received, for leak checks.
	frames [][]byte
}

func dialLive(t *testing.T, c *testClient, campaignPath string, header http.Header) (*liveConn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(c.ts.URL, "http") + campaignPath
	conn, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: c.client, HTTPHeader: header})
	if err != nil {
		return nil, resp, err
	}
	t.Cleanup(func() { conn.CloseNow() })
	return &liveConn{t: t, conn: conn}, resp, nil
}

// next reads messages until one of type typ arrives (every message is
// kept in frames) and returns it decoded.
func (l *liveConn) next(typ string) map[string]any {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, data, err := l.conn.Read(ctx)
		require.NoError(l.t, err, "waiting for a %s message", typ)
		l.frames = append(l.frames, data)
		for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
			var m map[string]any
			require.NoError(l.t, json.Unmarshal(line, &m))
			if m["type"] == typ {
				return m
			}
		}
	}
}

func (l *liveConn) send(id, typ string, data any) {
	l.t.Helper()
	b, err := json.Marshal(map[string]any{"id": id, "type": typ, "data": data})
	require.NoError(l.t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(l.t, l.conn.Write(ctx, websocket.MessageText, b))
}

// ack sends a command and waits for its ack, failing on an error reply.
func (l *liveConn) ack(id, typ string, data any) map[string]any {
	l.t.Helper()
	l.send(id, typ, data)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, frame, err := l.conn.Read(ctx)
		require.NoError(l.t, err)
		l.frames = append(l.frames, frame)
		for _, line := range bytes.Split(bytes.TrimSpace(frame), []byte("\n")) {
			var m map[string]any
			require.NoError(l.t, json.Unmarshal(line, &m))
			if m["id"] == id {
				require.Equal(l.t, "ack", m["type"], "reply to %s: %s", typ, line)
				return m
			}
		}
	}
}

// closeStatus waits for the connection to be closed by the server.
func (l *liveConn) closeStatus(within time.Duration) websocket.StatusCode {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		_, _, err := l.conn.Read(ctx)
		if err != nil {
			require.NoError(l.t, ctx.Err(), "the connection was not closed within %s", within)
			return websocket.CloseStatus(err)
		}
	}
}

func TestLive_RealRoute(t *testing.T) {
	t.Parallel()
	ts := newHubTestServer(t)
	gm := ts.newUser(t, "Live GM")
	c := ts.createCampaign(t, gm, "Live Table")
	player := ts.join(t, gm, c.ID, rolePlayer, "Live Player")
	outsider := ts.newUser(t, "Live Outsider")
	path := campaignPath(c.ID, "live")

	t.Run("NonMemberAndCrossOrigin", func(t *testing.T) {
		_, resp, err := dialLive(t, outsider, path, nil)
		require.Error(t, err)
		require.Equal(t, http.StatusNotFound, resp.StatusCode)
		_, resp, err = dialLive(t, gm, path, http.Header{"Origin": {"https://evil.example"}})
		require.Error(t, err)
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
	})

	gmConn, _, err := dialLive(t, gm, path, nil)
	require.NoError(t, err)
	snap := gmConn.next("snapshot")
	require.Equal(t, "gm", snap["view"])
	playerConn, _, err := dialLive(t, player, path+"?view=gm", nil)
	require.NoError(t, err)
	require.Equal(t, "player", playerConn.next("snapshot")["view"], "a player always gets the player view")
	screen, _, err := dialLive(t, gm, path+"?view=player", nil)
	require.NoError(t, err)
	require.Equal(t, "player", screen.next("snapshot")["view"], "a GM may ask for the player view")

	// Combat over HTTP reaches the live connections.
	res := gm.do(t, http.MethodPost, campaignPath(c.ID, "combat"), map[string]any{"includePlayers": false})
	res.requireStatus(t, http.StatusCreated)
	gm.do(t, http.MethodPost, campaignPath(c.ID, "combat"), map[string]any{}).requireError(t, http.StatusConflict, codeConflict)
	player.do(t, http.MethodPost, campaignPath(c.ID, "combat"), map[string]any{}).requireError(t, http.StatusForbidden, codeForbidden)
	gmConn.next("patch")

	ack := gmConn.ack("c1", "combat.add", map[string]any{"name": "Hidden Assassin", "kind": "monster", "hp": 40, "maxHp": 40, "ac": 15, "hidden": true})
	hiddenID := ack["result"].(map[string]any)["combatantId"].(string)
	gmConn.ack("c2", "combat.add", map[string]any{"name": "Goblin", "kind": "monster", "hp": 7, "maxHp": 7, "ac": 13})
	gmConn.ack("c3", "combat.damage", map[string]any{"combatantId": hiddenID, "amount": 5})

	// The player's combat (over HTTP) has the goblin's health, not its HP,
	// and no trace of the hidden combatant.
	res = player.do(t, http.MethodGet, campaignPath(c.ID, "combat"), nil).requireStatus(t, http.StatusOK)
	require.NotContains(t, string(res.Body), hiddenID)
	require.NotContains(t, string(res.Body), "Hidden Assassin")
	require.Contains(t, string(res.Body), `"health":"healthy"`)
	require.NotContains(t, string(res.Body), `"ac"`)
	var pc combatEnvelope
	require.NoError(t, json.Unmarshal(res.Body, &pc))
	require.Positive(t, pc.Seq)

	// Read what the player connections got so far; none of it may show
	// the hidden combatant.
	for _, l := range []*liveConn{playerConn, screen} {
		for {
			m := l.next("patch")
			if m["seq"].(float64) >= float64(pc.Seq) {
				break
			}
		}
		for _, f := range l.frames {
			require.NotContains(t, string(f), hiddenID)
			require.NotContains(t, string(f), "Hidden Assassin")
		}
	}

	// GET /combats lists past combats only.
	res = gm.do(t, http.MethodGet, campaignPath(c.ID, "combats"), nil).requireStatus(t, http.StatusOK)
	require.JSONEq(t, `{"items":[]}`, string(res.Body))

	// A role change closes the connection with "reconnect", and the new
	// connection gets the new role's view.
	member := campaignPath(c.ID, "members", player.User.ID.String())
	gm.do(t, http.MethodPatch, member, map[string]any{"role": "gm"}).requireStatus(t, http.StatusOK)
	require.Equal(t, hub.CloseReconnect, playerConn.closeStatus(10*time.Second))
	promoted, _, err := dialLive(t, player, path, nil)
	require.NoError(t, err)
	require.Equal(t, "gm", promoted.next("snapshot")["view"])
	gm.do(t, http.MethodPatch, member, map[string]any{"role": "player"}).requireStatus(t, http.StatusOK)
	require.Equal(t, hub.CloseReconnect, promoted.closeStatus(10*time.Second))
	playerConn, _, err = dialLive(t, player, path, nil)
	require.NoError(t, err)
	require.Equal(t, "player", playerConn.next("snapshot")["view"])

	// Removing the player closes their live connection within a second.
	gm.do(t, http.MethodDelete, member, nil).requireStatus(t, http.StatusNoContent)
	require.Equal(t, closeRemoved, playerConn.closeStatus(10*time.Second))

	// Logging out closes the GM's connections of that session.
	gm.do(t, http.MethodPost, "/api/auth/logout", nil).requireStatus(t, http.StatusNoContent)
	require.Equal(t, closeSessionEnded, gmConn.closeStatus(10*time.Second))
}

// TestLive_MembersOnline: with a hub and no OnlineFunc, GET members shows
// online: true exactly for the members with a live connection, and false
// again once it closes.
func TestLive_MembersOnline(t *testing.T) {
	t.Parallel()
	ts := newHubTestServer(t)
	gm := ts.newUser(t, "Online GM")
	c := ts.createCampaign(t, gm, "Online Table")
	player := ts.join(t, gm, c.ID, rolePlayer, "Online Player")
	other := ts.join(t, gm, c.ID, rolePlayer, "Offline Player")
	require.False(t, listMembers(t, gm, c.ID)[player.User.ID].Online)

	conn, _, err := dialLive(t, player, campaignPath(c.ID, "live"), nil)
	require.NoError(t, err)
	conn.next("snapshot")
	members := listMembers(t, gm, c.ID)
	require.True(t, members[player.User.ID].Online)
	require.False(t, members[other.User.ID].Online)
	require.False(t, members[gm.User.ID].Online)

	conn.conn.Close(websocket.StatusNormalClosure, "")
	require.Eventually(t, func() bool { return !listMembers(t, gm, c.ID)[player.User.ID].Online }, 5*time.Second, 20*time.Millisecond)
}

// TestLive_StartFromEncounter starts a combat from an encounter over the
// WebSocket: the monsters are numbered, carry their stat block's average
// HP, AC and Dex-based initiative bonus, the player characters join, and
// the GM view carries the encounter's difficulty while the player view
// does not.
func TestLive_StartFromEncounter(t *testing.T) {
	t.Parallel()
	ts := newHubTestServer(t)
	gm := ts.newUser(t, "Encounter GM")
	c := ts.createCampaign(t, gm, "Encounter Table")
	player := ts.join(t, gm, c.ID, rolePlayer, "Encounter Player")
	player.do(t, http.MethodPatch, campaignPath(c.ID, "members", player.User.ID.String()),
		map[string]any{"characterName": "Wren", "characterLevel": 3}).requireStatus(t, http.StatusOK)

	book := ts.storeBook(t, compendium.BookToolOnly, srdSubset(t, "bugbear", "hobgoblin"))
	enc := createEncounter(t, gm, c.ID, map[string]any{
		"name":        "Gate ambush",
		"partyLevels": []int{3, 3, 3, 2},
		"monsters":    []any{monsterEntry(book.Monsters["bugbear"], 1), monsterEntry(book.Monsters["hobgoblin"], 3)},
	})

	gmConn, _, err := dialLive(t, gm, campaignPath(c.ID, "live"), nil)
	require.NoError(t, err)
	gmConn.next("snapshot")
	playerConn, _, err := dialLive(t, player, campaignPath(c.ID, "live"), nil)
	require.NoError(t, err)
	playerConn.next("snapshot")

	gmConn.ack("s1", "combat.start", map[string]any{"encounterId": enc.ID.String()})

	res := gm.do(t, http.MethodGet, campaignPath(c.ID, "combat"), nil).requireStatus(t, http.StatusOK)
	var got struct {
		Combat struct {
			Combatants map[string]struct {
				Name            string `json:"name"`
				Kind            string `json:"kind"`
				HP              int    `json:"hp"`
				MaxHP           int    `json:"maxHp"`
				AC              int    `json:"ac"`
				InitiativeBonus int    `json:"initiativeBonus"`
			} `json:"combatants"`
			Difficulty *struct {
				XP         int    `json:"xp"`
				AdjustedXP int    `json:"adjustedXp"`
				DMG2014    string `json:"dmg2014"`
			} `json:"difficulty"`
		} `json:"combat"`
	}
	require.NoError(t, json.Unmarshal(res.Body, &got))
	byName := map[string]int{}
	for _, cb := range got.Combat.Combatants {
		byName[cb.Name]++
		switch cb.Name {
		case "Bugbear":
			// SRD bugbear: 27 HP, AC 16, Dex 14.
			require.Equal(t, []int{27, 27, 16, 2}, []int{cb.HP, cb.MaxHP, cb.AC, cb.InitiativeBonus})
		case "Hobgoblin 1", "Hobgoblin 2", "Hobgoblin 3":
			// SRD hobgoblin: 11 HP, AC 18, Dex 12.
			require.Equal(t, []int{11, 11, 18, 1}, []int{cb.HP, cb.MaxHP, cb.AC, cb.InitiativeBonus})
		case "Wren":
			require.Equal(t, "pc", cb.Kind)
		default:
			t.Fatalf("unexpected combatant %q", cb.Name)
		}
	}
	require.Equal(t, map[string]int{"Bugbear": 1, "Hobgoblin 1": 1, "Hobgoblin 2": 1, "Hobgoblin 3": 1, "Wren": 1}, byName)
	require.NotNil(t, got.Combat.Difficulty)
	require.Equal(t, 500, got.Combat.Difficulty.XP)
	require.Equal(t, 1000, got.Combat.Difficulty.AdjustedXP)
	require.Equal(t, "hard", got.Combat.Difficulty.DMG2014)

	res = player.do(t, http.MethodGet, campaignPath(c.ID, "combat"), nil).requireStatus(t, http.StatusOK)
	require.NotContains(t, string(res.Body), "difficulty")
	require.NotContains(t, string(res.Body), `"hp":11`, "players see health, not the monsters' HP")
}
