package demo

// RuleBookSlug, RuleBookTitle and RuleBook are the demo's house rules: a
// short optional rule book, written for gametable, that the seed imports
// and enables for the demo campaign so that search and the rules chat have
// something to answer from without any published book.
const (
	RuleBookSlug  = "gametable-demo-house-rules"
	RuleBookTitle = "Hollow Marches House Rules (gametable demo)"
)

// RuleBook is Markdown; headings become the citations' headings.
const RuleBook = `# Hollow Marches House Rules

These are the table rules of the demo campaign. They are short on purpose:
they show how gametable searches a group's own rules and cites them.

## Travel in the Fog

### Getting Lost
Each hour of travel through the marsh fog, the guide makes a Wisdom
(Survival) check against DC 12. On a failure the caravan drifts off the
causeway and loses an hour. On a failure by 5 or more, one random wagon is
separated from the rest until someone goes back for it.

### Lanterns
A lit lantern pushes the fog back: creatures within 15 feet of a lantern
can see each other normally. Beyond that, everything is lightly obscured,
and beyond 60 feet heavily obscured. A lantern burns for six hours on a
flask of oil.

## Resting in the Marsh

### Short Rests
A short rest on dry ground works as usual. A short rest in the reeds or in
water gives no benefit from spending Hit Dice until the party finds dry
ground.

### Night Watch
The party sets watches in pairs. Each watch, the GM rolls a d6: on a 1 a
wandering creature of the marsh finds the camp. A character on watch who
keeps a lantern lit has advantage on checks to notice it.

## Combat in the Reeds

### Difficult Footing
Mud and reeds are difficult terrain. A creature that takes the Dash action
in the reeds must succeed on a DC 10 Dexterity (Acrobatics) check or fall
prone at the end of its move.

### Hiding in the Reeds
Tall reeds give a creature that is prone in them three-quarters cover
against attacks from more than 10 feet away, and let it try to hide even
while an enemy can see the reeds.

## The Drowned Bell

### Ringing the Bell
When the Drowned Bell rings, every creature within 300 feet that can hear
it makes a DC 13 Wisdom saving throw. On a failure it is frightened of the
bell until the end of its next turn. Lantern wisps are drawn to the sound.
`
