package hub

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the game rules: pure functions from a state and a
// command to the next state, the effects to persist and the command's
// result. Nothing here does I/O; the hub persists the effects and
// publishes the difference between the projections of the two states.

// Combatant kinds.
const (
	kindPC      = "pc"
	kindMonster = "monster"
	kindNPC     = "npc"
)

// Caps that keep a state document small.
const (
	maxCombatants = 200
	maxConditions = 32
)

// combat is the running combat. It is copy-on-write (see state).
type combat struct {
	id          string
	encounterID string
	round       int    // 0 until the first combat.next
	turn        string // the combatant whose turn it is; "" for none
	order       []string
	combatants  map[string]*combatant
	// party is the encounter's own partyLevels (none: the players'), and
	// levels the campaign's players' characterLevels by user, in join
	// order (userIDs): what the GM view's difficulty is computed against.
	// Shared between clones; never changed in place.
	party   []int
	levels  map[string]int
	userIDs []string
}

// combatant is one participant of a combat. Copy-on-write.
type combatant struct {
	id         string
	name       string
	kind       string
	initiative int
	hasInit    bool
	initBonus  int
	hp         int
	maxHP      int
	tempHP     int
	ac         int
	hasAC      bool
	hidden     bool
	userID     string
	monsterID  string
	npcID      string
	conditions map[string]int // name → rounds left; 0: until removed
	// cr is the challenge rating of the monsterId's stat block (hasCR when
	// it has one): the combatant counts in the GM view's difficulty.
	cr    float64
	hasCR bool
}

// clone returns a copy of c that shares its combatants; mut replaces the
// ones a command changes.
func (c *combat) clone() *combat {
	n := *c
	n.order = slices.Clone(c.order)
	n.combatants = maps.Clone(c.combatants)
	return &n
}

// mut returns a private copy of combatant id, stored in c, for changing.
// c must be a clone made for the current command.
func (c *combat) mut(id string) *combatant {
	cp := *c.combatants[id]
	cp.conditions = maps.Clone(cp.conditions)
	c.combatants[id] = &cp
	return &cp
}

// sortOrder recomputes c.order: by initiative, high to low; ties by
// initiative bonus, high to low, then by name (case-insensitive), then by
// id. Combatants without initiative come last, by name, then id.
func (c *combat) sortOrder() {
	order := c.order[:0]
	for id := range c.combatants {
		order = append(order, id)
	}
	slices.SortFunc(order, func(x, y string) int {
		return compareCombatants(c.combatants[x], c.combatants[y])
	})
	c.order = order
}

func compareCombatants(a, b *combatant) int {
	if a.hasInit != b.hasInit {
		if a.hasInit {
			return -1
		}
		return 1
	}
	if a.hasInit {
		if a.initiative != b.initiative {
			return b.initiative - a.initiative
		}
		if a.initBonus != b.initBonus {
			return b.initBonus - a.initBonus
		}
	}
	if r := compareFold(a.name, b.name); r != 0 {
		return r
	}
	return strings.Compare(a.id, b.id)
}

// compareFold compares a and b case-insensitively (by lower-cased runes),
// without allocating.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		la, lb := unicode.ToLower(ra), unicode.ToLower(rb)
		if la != lb {
			if la < lb {
				return -1
			}
			return 1
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

// eligible reports whether c may take a turn: player characters always
// (they make death saves at 0 HP), others while above 0 HP.
func (c *combatant) eligible() bool {
	return c.kind == kindPC || c.hp > 0
}

// indexOf returns the position of id in the order, or -1.
func (c *combat) indexOf(id string) int {
	if id == "" {
		return -1
	}
	return slices.Index(c.order, id)
}

// nextEligible finds the first eligible combatant after position from,
// wrapping around at the end of the order (and counting from the start when
// from is -1). skip is a combatant that must not be chosen ("" for none).
// wrapped reports whether the search went past the end.
func (c *combat) nextEligible(from int, skip string) (id string, wrapped bool) {
	n := len(c.order)
	for i := from + 1; i < n; i++ {
		if id := c.order[i]; id != skip && c.combatants[id].eligible() {
			return id, false
		}
	}
	if from < 0 {
		return "", false
	}
	for i := 0; i <= from && i < n; i++ {
		if id := c.order[i]; id != skip && c.combatants[id].eligible() {
			return id, true
		}
	}
	return "", false
}

// prevEligible is nextEligible backwards.
func (c *combat) prevEligible(from int) (id string, wrapped bool) {
	for i := from - 1; i >= 0; i-- {
		if id := c.order[i]; c.combatants[id].eligible() {
			return id, false
		}
	}
	for i := len(c.order) - 1; i >= from && i >= 0; i-- {
		if id := c.order[i]; c.combatants[id].eligible() {
			return id, true
		}
	}
	return "", false
}

// actor is who sends a command: the user and their role in the campaign.
type actor struct {
	userID string
	role   Role
}

func (a actor) gm() bool { return a.role == RoleGM }

// prepared holds what a command needed from the database before the rules
// could run (combat.start's encounter and players).
type prepared struct {
	encounterID string
	monsters    []monsterSeed
	players     []playerSeed
	// party, levels and userIDs become the combat's (see combat).
	party   []int
	levels  map[string]int
	userIDs []string
	// crs are the challenge ratings of monsters by id (combat.start's
	// and combat.add's monsterId).
	crs map[string]float64
}

// monsterSeed is one line of an encounter: count monsters of one stat block.
type monsterSeed struct {
	monsterID string
	name      string
	hp        int
	ac        int
	initBonus int
	count     int
	cr        float64
	hasCR     bool
}

// playerSeed is a player member who joins a new combat as a PC.
type playerSeed struct {
	userID string
	name   string
}

// result is what an ack reports about a command's effect; see encode.
type result struct {
	combatID    string
	combatantID string
	initiative  map[string]int // combatant id → rolled initiative
}

// encode gives the ack's result object for view v of state s (the state
// after the command): the player view leaves out hidden combatants.
func (r result) encode(s *state, v View) []byte {
	d := doc{}
	if r.combatID != "" {
		d["combatId"] = r.combatID
	}
	if r.combatantID != "" && visibleIn(s, v, r.combatantID) {
		d["combatantId"] = r.combatantID
	}
	if r.initiative != nil {
		rolls := doc{}
		for id, n := range r.initiative {
			if visibleIn(s, v, id) {
				rolls[id] = n
			}
		}
		d["initiative"] = rolls
	}
	return appendDoc(nil, d)
}

// visibleIn reports whether combatant id shows in view v of s.
func visibleIn(s *state, v View, id string) bool {
	if v == ViewGM {
		return true
	}
	if s.combat == nil {
		return false
	}
	c := s.combat.combatants[id]
	return c != nil && !c.hidden
}

// Effects are what the hub persists for a command, in order.
type effect interface{ isEffect() }

type (
	// effCombatStart inserts a combat and its combatants.
	effCombatStart struct{ combat *combat }
	// effCombatTurn moves the turn, guarded by the expected old values.
	effCombatTurn struct {
		combatID           string
		fromRound, toRound int
		fromTurn, toTurn   string
	}
	// effCombatEnd ends the combat.
	effCombatEnd struct {
		combatID string
		round    int
		outcome  string
	}
	// effCombatantAdd inserts a combatant.
	effCombatantAdd struct {
		combatID string
		c        *combatant
	}
	// effCombatantSet writes every mutable column of a combatant.
	effCombatantSet struct{ c *combatant }
	// effCombatantDamage subtracts amount in SQL (temp HP first); hp and
	// tempHP are what the rules expect afterwards.
	effCombatantDamage struct {
		id         string
		amount     int
		hp, tempHP int
	}
	// effCombatantHeal adds amount in SQL, capped at max HP; hp is what
	// the rules expect afterwards.
	effCombatantHeal struct {
		id     string
		amount int
		hp     int
	}
	// effCombatantRemove deletes a combatant.
	effCombatantRemove struct{ id string }
	// effPollVote sets (answer "yes", "maybe", "no") or removes (answer
	// "none") a member's vote.
	effPollVote struct{ pollID, optionID, userID, answer string }
)

func (effCombatStart) isEffect()     {}
func (effCombatTurn) isEffect()      {}
func (effCombatEnd) isEffect()       {}
func (effCombatantAdd) isEffect()    {}
func (effCombatantSet) isEffect()    {}
func (effCombatantDamage) isEffect() {}
func (effCombatantHeal) isEffect()   {}
func (effCombatantRemove) isEffect() {}
func (effPollVote) isEffect()        {}

// outcome is what apply gives for a command that the rules accept.
type outcome struct {
	next    *state
	effects []effect
	result  result
}

// apply runs command typ with data d (already validated) for a against s.
// It never modifies s. A command with no effect returns s itself and no
// effects. p carries the database reads that combat.start needs.
func (r *rules) apply(s *state, a actor, typ string, d commandData, p *prepared) (outcome, error) {
	switch typ {
	case TypeCombatStart:
		return r.start(s, a, p)
	case TypePollVote:
		return applyVote(s, a, d.(*pollVoteData))
	}
	if s.combat == nil {
		return outcome{}, ErrNoCombat
	}
	c := s.combat.clone()
	next := s.shallow()
	next.combat = c
	var out outcome
	var err error
	switch typ {
	case TypeCombatAdd:
		out, err = r.add(c, a, d.(*combatAddData), p)
	case TypeCombatUpdate:
		out, err = update(c, a, d.(*combatUpdateData))
	case TypeCombatDamage:
		out, err = damage(c, a, d.(*combatAmountData))
	case TypeCombatHeal:
		out, err = heal(c, a, d.(*combatAmountData))
	case TypeCombatCondition:
		out, err = condition(c, a, d.(*combatConditionData))
	case TypeCombatRollInitiative:
		out, err = r.rollInitiative(c, a, d.(*combatRollData))
	case TypeCombatNext:
		out, err = nextTurn(c, a)
	case TypeCombatPrevious:
		out, err = previousTurn(c, a)
	case TypeCombatRemove:
		out, err = remove(c, a, d.(*combatRemoveData))
	case TypeCombatEnd:
		if !a.gm() {
			return outcome{}, ErrGMOnly
		}
		var oc string
		if e := d.(*combatEndData); e.Outcome != nil {
			oc = strings.TrimSpace(*e.Outcome)
		}
		next.combat = nil
		return outcome{next: next, effects: []effect{effCombatEnd{combatID: c.id, round: c.round, outcome: oc}}}, nil
	default:
		panic("developer error: apply of unknown command " + typ)
	}
	if err != nil {
		return outcome{}, err
	}
	if len(out.effects) == 0 {
		return outcome{next: s, result: out.result}, nil
	}
	out.next = next
	return out, nil
}

// find returns combatant id as a may see it: a player never finds a hidden
// combatant, so that the error does not reveal that it exists.
func find(c *combat, a actor, id string) (*combatant, error) {
	cb := c.combatants[id]
	if cb == nil || (cb.hidden && !a.gm()) {
		return nil, ErrCombatantNotFound
	}
	return cb, nil
}

// mayControl reports whether a may change cb's hit points and conditions:
// a GM, or the member whose combatant it is.
func mayControl(a actor, cb *combatant) bool {
	return a.gm() || (cb.userID != "" && cb.userID == a.userID)
}

func (r *rules) start(s *state, a actor, p *prepared) (outcome, error) {
	if !a.gm() {
		return outcome{}, ErrGMOnly
	}
	if s.combat != nil {
		return outcome{}, ErrCombatRunning
	}
	c := &combat{id: r.newIDFunc(), combatants: map[string]*combatant{}}
	if p != nil {
		c.encounterID = p.encounterID
		c.party, c.levels, c.userIDs = p.party, p.levels, p.userIDs
		n := len(p.players)
		for _, m := range p.monsters {
			n += m.count
		}
		if n > maxCombatants {
			return outcome{}, ErrTooManyCombatants
		}
		for _, m := range p.monsters {
			for i := 1; i <= m.count; i++ {
				name := truncateRunes(m.name, maxNameLen)
				if m.count > 1 {
					name = numberedName(m.name, i)
				}
				cb := &combatant{
					id: r.newIDFunc(), name: name, kind: kindMonster,
					initBonus: m.initBonus, hp: m.hp, maxHP: m.hp,
					ac: m.ac, hasAC: true, monsterID: m.monsterID,
					conditions: map[string]int{},
				}
				cb.cr, cb.hasCR = m.cr, m.hasCR
				c.combatants[cb.id] = cb
			}
		}
		for _, pl := range p.players {
			cb := &combatant{
				id: r.newIDFunc(), name: pl.name, kind: kindPC, userID: pl.userID,
				conditions: map[string]int{},
			}
			c.combatants[cb.id] = cb
		}
	}
	c.sortOrder()
	next := s.shallow()
	next.combat = c
	return outcome{next: next, effects: []effect{effCombatStart{combat: c}}, result: result{combatID: c.id}}, nil
}

// numberedName is "Goblin 2", cut so that it fits the name limit.
func numberedName(name string, i int) string {
	suffix := " " + strconv.Itoa(i)
	r := []rune(name)
	if max := maxNameLen - len(suffix); len(r) > max {
		r = r[:max]
	}
	return string(r) + suffix
}

func (r *rules) add(c *combat, a actor, d *combatAddData, p *prepared) (outcome, error) {
	if !a.gm() {
		return outcome{}, ErrGMOnly
	}
	if len(c.combatants) >= maxCombatants {
		return outcome{}, ErrTooManyCombatants
	}
	cb := &combatant{
		id:         r.newIDFunc(),
		name:       strings.TrimSpace(*d.Name),
		kind:       *d.Kind,
		hp:         *d.HP,
		maxHP:      *d.MaxHP,
		conditions: map[string]int{},
	}
	if d.AC != nil {
		cb.ac, cb.hasAC = *d.AC, true
	}
	if d.Initiative != nil {
		cb.initiative, cb.hasInit = *d.Initiative, true
	}
	if d.InitiativeBonus != nil {
		cb.initBonus = *d.InitiativeBonus
	}
	if d.Hidden != nil {
		cb.hidden = *d.Hidden
	}
	if d.MonsterID != nil {
		cb.monsterID = *d.MonsterID
		if p != nil {
			cb.cr, cb.hasCR = p.crs[cb.monsterID]
		}
	}
	if d.UserID != nil {
		cb.userID = *d.UserID
	}
	if d.NPCID != nil {
		cb.npcID = *d.NPCID
	}
	c.combatants[cb.id] = cb
	c.sortOrder()
	return outcome{
		effects: []effect{effCombatantAdd{combatID: c.id, c: cb}},
		result:  result{combatantID: cb.id},
	}, nil
}

func update(c *combat, a actor, d *combatUpdateData) (outcome, error) {
	old, err := find(c, a, *d.CombatantID)
	if err != nil {
		return outcome{}, err
	}
	if !a.gm() {
		if !mayControl(a, old) {
			return outcome{}, ErrNotYourCombatant
		}
		if d.Name != nil || d.MaxHP != nil || d.AC != nil || d.InitiativeBonus != nil || d.Hidden != nil {
			return outcome{}, newRuleError(ErrForbidden, "players may change only hp, tempHp and initiative")
		}
	}
	cb := *old
	if d.Name != nil {
		cb.name = strings.TrimSpace(*d.Name)
	}
	if d.HP != nil {
		cb.hp = *d.HP
	}
	if d.MaxHP != nil {
		cb.maxHP = *d.MaxHP
	}
	if d.TempHP != nil {
		cb.tempHP = *d.TempHP
	}
	if d.AC != nil {
		cb.ac, cb.hasAC = *d.AC, true
	}
	if d.Initiative != nil {
		cb.initiative, cb.hasInit = *d.Initiative, true
	}
	if d.InitiativeBonus != nil {
		cb.initBonus = *d.InitiativeBonus
	}
	if d.Hidden != nil {
		cb.hidden = *d.Hidden
	}
	if sameFields(&cb, old) {
		return outcome{}, nil
	}
	n := c.mut(cb.id)
	*n = cb
	c.sortOrder()
	return outcome{effects: []effect{effCombatantSet{c: n}}}, nil
}

// sameFields compares everything but the conditions.
func sameFields(a, b *combatant) bool {
	return a.id == b.id && a.name == b.name && a.kind == b.kind &&
		a.initiative == b.initiative && a.hasInit == b.hasInit && a.initBonus == b.initBonus &&
		a.hp == b.hp && a.maxHP == b.maxHP && a.tempHP == b.tempHP &&
		a.ac == b.ac && a.hasAC == b.hasAC && a.hidden == b.hidden &&
		a.userID == b.userID && a.monsterID == b.monsterID && a.npcID == b.npcID
}

// applyDamage takes amount from temporary hit points first, then from hit
// points, which never go below 0.
func applyDamage(hp, tempHP, amount int) (newHP, newTemp int) {
	absorbed := min(tempHP, amount)
	return max(hp-(amount-absorbed), 0), tempHP - absorbed
}

// applyHeal adds amount to hp without raising it above maxHP (a combatant
// already above its maximum keeps its hit points).
func applyHeal(hp, maxHP, amount int) int {
	if hp >= maxHP {
		return hp
	}
	return min(hp+amount, maxHP)
}

func damage(c *combat, a actor, d *combatAmountData) (outcome, error) {
	old, err := find(c, a, *d.CombatantID)
	if err != nil {
		return outcome{}, err
	}
	if !mayControl(a, old) {
		return outcome{}, ErrNotYourCombatant
	}
	hp, temp := applyDamage(old.hp, old.tempHP, *d.Amount)
	if hp == old.hp && temp == old.tempHP {
		return outcome{}, nil
	}
	n := c.mut(old.id)
	n.hp, n.tempHP = hp, temp
	return outcome{effects: []effect{effCombatantDamage{id: n.id, amount: *d.Amount, hp: hp, tempHP: temp}}}, nil
}

func heal(c *combat, a actor, d *combatAmountData) (outcome, error) {
	old, err := find(c, a, *d.CombatantID)
	if err != nil {
		return outcome{}, err
	}
	if !mayControl(a, old) {
		return outcome{}, ErrNotYourCombatant
	}
	hp := applyHeal(old.hp, old.maxHP, *d.Amount)
	if hp == old.hp {
		return outcome{}, nil
	}
	n := c.mut(old.id)
	n.hp = hp
	return outcome{effects: []effect{effCombatantHeal{id: n.id, amount: *d.Amount, hp: hp}}}, nil
}

func condition(c *combat, a actor, d *combatConditionData) (outcome, error) {
	old, err := find(c, a, *d.CombatantID)
	if err != nil {
		return outcome{}, err
	}
	if !mayControl(a, old) {
		return outcome{}, ErrNotYourCombatant
	}
	name := *d.Condition
	cur, has := old.conditions[name]
	if !*d.Active {
		if !has {
			return outcome{}, nil
		}
		n := c.mut(old.id)
		delete(n.conditions, name)
		return outcome{effects: []effect{effCombatantSet{c: n}}}, nil
	}
	rounds := 0
	if d.Rounds != nil {
		rounds = *d.Rounds
	}
	if has && cur == rounds {
		return outcome{}, nil
	}
	if !has && len(old.conditions) >= maxConditions {
		return outcome{}, ErrTooManyConditions
	}
	n := c.mut(old.id)
	n.conditions[name] = rounds
	return outcome{effects: []effect{effCombatantSet{c: n}}}, nil
}

func (r *rules) rollInitiative(c *combat, a actor, d *combatRollData) (outcome, error) {
	if !a.gm() {
		return outcome{}, ErrGMOnly
	}
	var ids []string
	if d.CombatantIDs != nil {
		for _, id := range *d.CombatantIDs {
			if c.combatants[id] == nil {
				return outcome{}, ErrCombatantNotFound
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	} else {
		for _, id := range c.order {
			if !c.combatants[id].hasInit {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return outcome{result: result{initiative: map[string]int{}}}, nil
	}
	rolls := make(map[string]int, len(ids))
	effects := make([]effect, 0, len(ids))
	for _, id := range ids {
		n := c.mut(id)
		n.initiative, n.hasInit = r.rollFunc()+n.initBonus, true
		rolls[id] = n.initiative
		effects = append(effects, effCombatantSet{c: n})
	}
	c.sortOrder()
	return outcome{effects: effects, result: result{initiative: rolls}}, nil
}

// nextTurn ends the current combatant's turn (its timed conditions lose a
// round, and go at 0) and gives the turn to the next eligible combatant in
// order, starting round 1 on the first call and adding a round on wrapping.
func nextTurn(c *combat, a actor) (outcome, error) {
	if !a.gm() {
		cur := c.combatants[c.turn]
		if cur == nil || cur.userID == "" || cur.userID != a.userID {
			return outcome{}, ErrNotYourTurn
		}
	}
	from := c.indexOf(c.turn)
	to, wrapped := c.nextEligible(from, "")
	if to == "" {
		return outcome{}, ErrNoEligibleCombatant
	}
	var effects []effect
	if from >= 0 {
		if cb := c.combatants[c.turn]; hasTimed(cb.conditions) {
			n := c.mut(cb.id)
			for name, rounds := range n.conditions {
				switch {
				case rounds == 1:
					delete(n.conditions, name)
				case rounds > 1:
					n.conditions[name] = rounds - 1
				}
			}
			effects = append(effects, effCombatantSet{c: n})
		}
	}
	round := c.round
	switch {
	case round == 0:
		round = 1
	case wrapped:
		round++
	}
	effects = append(effects, effCombatTurn{combatID: c.id, fromRound: c.round, fromTurn: c.turn, toRound: round, toTurn: to})
	c.round, c.turn = round, to
	return outcome{effects: effects}, nil
}

func hasTimed(conds map[string]int) bool {
	for _, r := range conds {
		if r > 0 {
			return true
		}
	}
	return false
}

// previousTurn gives the turn back to the previous eligible combatant,
// taking a round off on wrapping backwards (never below 1). Conditions keep
// their rounds.
func previousTurn(c *combat, a actor) (outcome, error) {
	if !a.gm() {
		return outcome{}, ErrGMOnly
	}
	from := c.indexOf(c.turn)
	if c.round == 0 || from < 0 {
		return outcome{}, ErrCombatNotStarted
	}
	to, wrapped := c.prevEligible(from)
	if to == "" {
		return outcome{}, ErrNoEligibleCombatant
	}
	round := c.round
	if wrapped {
		round = max(round-1, 1)
	}
	if to == c.turn && round == c.round {
		return outcome{}, nil
	}
	eff := effCombatTurn{combatID: c.id, fromRound: c.round, fromTurn: c.turn, toRound: round, toTurn: to}
	c.round, c.turn = round, to
	return outcome{effects: []effect{eff}}, nil
}

// remove takes a combatant out. If it was its turn, the turn passes on as
// with combat.next (without touching the removed combatant's conditions);
// with no one left to act, there is no turn.
func remove(c *combat, a actor, d *combatRemoveData) (outcome, error) {
	if !a.gm() {
		return outcome{}, ErrGMOnly
	}
	id := *d.CombatantID
	if c.combatants[id] == nil {
		return outcome{}, ErrCombatantNotFound
	}
	var effects []effect
	if c.turn == id {
		to, wrapped := c.nextEligible(c.indexOf(id), id)
		round := c.round
		if wrapped {
			round++
		}
		effects = append(effects, effCombatTurn{combatID: c.id, fromRound: c.round, fromTurn: c.turn, toRound: round, toTurn: to})
		c.round, c.turn = round, to
	}
	delete(c.combatants, id)
	c.sortOrder()
	effects = append(effects, effCombatantRemove{id: id})
	return outcome{effects: effects}, nil
}

func applyVote(s *state, a actor, d *pollVoteData) (outcome, error) {
	p := s.polls.polls[*d.PollID]
	if p == nil {
		return outcome{}, ErrPollNotFound
	}
	if p.status != "open" {
		return outcome{}, ErrPollClosed
	}
	o := p.options[*d.OptionID]
	if o == nil {
		return outcome{}, ErrOptionNotFound
	}
	cur, has := o.votes[a.userID]
	switch {
	case *d.Answer == "none" && !has, *d.Answer == cur:
		return outcome{next: s}, nil
	}
	no := *o
	no.votes = maps.Clone(o.votes)
	if *d.Answer == "none" {
		delete(no.votes, a.userID)
	} else {
		no.votes[a.userID] = *d.Answer
	}
	np := *p
	np.options = maps.Clone(p.options)
	np.options[*d.OptionID] = &no
	ps := &pollSet{polls: maps.Clone(s.polls.polls)}
	ps.polls[p.id] = &np
	next := s.shallow()
	next.polls = ps
	return outcome{
		next:    next,
		effects: []effect{effPollVote{pollID: p.id, optionID: *d.OptionID, userID: a.userID, answer: *d.Answer}},
	}, nil
}
