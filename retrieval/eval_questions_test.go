package retrieval_test

// evalQuestion is one question of the retrieval evaluation. want lists the
// sections that answer it, each a heading path fragment (" > " between
// headings): a retrieved chunk counts as a hit when its heading path
// contains one of them as a contiguous run. Most questions have exactly one
// answering section; a second one is listed only where the book really
// answers the question in two places.
type evalQuestion struct {
	q          string
	paraphrase bool
	want       []string
}

// evalQuestions were written from the text of the SRD rule sections and
// conditions before the retrieval code existed, and were not changed to
// suit it. The first half uses the book's own terms; the second half asks
// the way players talk at the table, mostly without the book's key terms.
var evalQuestions = []evalQuestion{
	// In the book's own words.
	{q: "What happens if you are surprised at the start of combat?", want: []string{"Surprise"}},
	{q: "How is initiative determined?", want: []string{"The Order of Combat > Initiative"}},
	{q: "What can I do with a bonus action?", want: []string{"Bonus Actions"}},
	{q: "When can I take a reaction?", want: []string{"The Order of Combat > Reactions"}},
	{q: "How does difficult terrain affect movement?", want: []string{"Difficult Terrain"}},
	{q: "How do I stand up when I am prone?", want: []string{"Being Prone"}},
	{q: "Can I move through a hostile creature's space?", want: []string{"Moving Around Other Creatures"}},
	{q: "What happens to a flying creature that is knocked prone?", want: []string{"Flying Movement"}},
	{q: "How much space does a Large creature control?", want: []string{"Creature Size > Space", "Size Categories"}},
	{q: "What does the Dodge action do?", want: []string{"Actions in Combat > Dodge"}},
	{q: "What does the Disengage action do?", want: []string{"Actions in Combat > Disengage"}},
	{q: "How does the Help action work?", want: []string{"Actions in Combat > Help"}},
	{q: "How do I use the Ready action?", want: []string{"Actions in Combat > Ready"}},
	{q: "What happens when I roll a 20 on an attack roll?", want: []string{"Rolling 1 or 20"}},
	{q: "Do I have disadvantage on a ranged attack when a hostile creature is within 5 feet of me?", want: []string{"Ranged Attacks in Close Combat"}},
	{q: "When can I make an opportunity attack?", want: []string{"Opportunity Attacks"}},
	{q: "How does two-weapon fighting work?", want: []string{"Two-Weapon Fighting"}},
	{q: "How do I grapple a creature and how does it escape the grapple?", want: []string{"Grappling"}},
	{q: "How do I shove a creature?", want: []string{"Shoving a Creature"}},
	{q: "What bonus does half cover give to AC?", want: []string{"Cover"}},
	{q: "How do I roll damage for a critical hit?", want: []string{"Critical Hits"}},
	{q: "How do resistance and vulnerability change the damage a creature takes?", want: []string{"Damage Resistance and Vulnerability"}},
	{q: "When does massive damage cause instant death?", want: []string{"Instant Death"}},
	{q: "How do death saving throws work?", want: []string{"Death Saving Throws"}},
	{q: "How do I stabilize a creature with 0 hit points?", want: []string{"Stabilizing a Creature"}},
	{q: "How do temporary hit points work?", want: []string{"Temporary Hit Points"}},
	{q: "How do I control a mount in combat?", want: []string{"Controlling a Mount"}},
	{q: "What are the rules for underwater combat?", want: []string{"Underwater Combat"}},
	{q: "How do advantage and disadvantage work?", want: []string{"Advantage and Disadvantage"}},
	{q: "How does a passive check work?", want: []string{"Passive Checks"}},
	{q: "What is the DC of a hard task?", want: []string{"Typical Difficulty Classes"}},
	{q: "How much can I carry with my Strength score?", want: []string{"Lifting and Carrying"}},
	{q: "How long can a creature hold its breath?", want: []string{"Suffocating"}},
	{q: "How much damage does a creature take from falling?", want: []string{"The Environment > Falling"}},
	{q: "How far can I jump with a long jump?", want: []string{"Jumping"}},
	{q: "What do I regain at the end of a long rest?", want: []string{"Long Rest"}},
	{q: "How do I spend Hit Dice at the end of a short rest?", want: []string{"Short Rest"}},
	{q: "What breaks concentration on a spell?", want: []string{"Concentration"}},
	{q: "How do I cast a spell as a ritual?", want: []string{"Rituals"}},
	{q: "Can I cast a spell using a higher-level spell slot?", want: []string{"Casting a Spell at a Higher Level"}},
	{q: "What are verbal, somatic, and material components?", want: []string{"Components"}},
	{q: "Can my wizard cast spells while wearing armor?", want: []string{"Casting in Armor"}},
	{q: "How does attunement to a magic item work?", want: []string{"Attunement"}},
	{q: "What does the blinded condition do?", want: []string{"Blinded"}},
	{q: "What are the effects of the stunned condition?", want: []string{"Stunned"}},
	{q: "What are the six levels of exhaustion?", want: []string{"Conditions > Exhaustion"}},

	// Paraphrased, as players ask at the table.
	{q: "Can I attack twice if I hold a sword in each hand?", paraphrase: true, want: []string{"Two-Weapon Fighting"}},
	{q: "I want to grab the goblin and hold on so it can't run away", paraphrase: true, want: []string{"Grappling"}},
	{q: "Can I push an enemy back or knock him to the ground?", paraphrase: true, want: []string{"Shoving a Creature"}},
	{q: "What happens when my character gets knocked down to zero health?", paraphrase: true, want: []string{"Dropping to 0 Hit Points"}},
	{q: "Does a nat 20 always hit no matter how good their armor is?", paraphrase: true, want: []string{"Rolling 1 or 20"}},
	{q: "The orc ran right past me, do I get a free swing at him?", paraphrase: true, want: []string{"Opportunity Attacks"}},
	{q: "How do I sneak around so the monsters don't spot me?", paraphrase: true, want: []string{"Actions in Combat > Hide", "Dexterity > Hiding"}},
	{q: "How long can my character survive without eating anything?", paraphrase: true, want: []string{"Food and Water > Food"}},
	{q: "How much do we need to drink every day when it's hot out?", paraphrase: true, want: []string{"Food and Water > Water"}},
	{q: "My wizard wants to keep two spells going at the same time, is that allowed?", paraphrase: true, want: []string{"Concentration"}},
	{q: "We jumped off a cliff, how much does the landing hurt?", paraphrase: true, want: []string{"The Environment > Falling"}},
	{q: "How long can I stay underwater without air before I drown?", paraphrase: true, want: []string{"Suffocating"}},
	{q: "Is there a penalty for shooting my bow at someone standing right next to me?", paraphrase: true, want: []string{"Ranged Attacks in Close Combat"}},
	{q: "Does ducking behind a low wall make me harder to hit?", paraphrase: true, want: []string{"Cover"}},
	{q: "How do I heal up when we stop to catch our breath for an hour?", paraphrase: true, want: []string{"Short Rest"}},
	{q: "Do I get all my spells back after sleeping through the night?", paraphrase: true, want: []string{"Long Rest", "Spell Slots"}},
	{q: "How much gear can I haul before it slows me down?", paraphrase: true, want: []string{"Lifting and Carrying"}},
	{q: "Can my dwarf see in a pitch black cave without a torch?", paraphrase: true, want: []string{"Darkvision"}},
	{q: "I want to wait and hit the orc the moment it comes through the door", paraphrase: true, want: []string{"Actions in Combat > Ready"}},
	{q: "Do we get a free round if the bandits don't notice us coming?", paraphrase: true, want: []string{"Surprise"}},
	{q: "The spell needs bat guano or a diamond, what is that about?", paraphrase: true, want: []string{"Components"}},
	{q: "My friend is bleeding out, how do I keep him alive without magic?", paraphrase: true, want: []string{"Stabilizing a Creature"}},
	{q: "Can I fight while riding my horse?", paraphrase: true, want: []string{"Mounted Combat"}},
	{q: "How does sword fighting work when we're swimming in a lake?", paraphrase: true, want: []string{"Underwater Combat"}},
	{q: "We want to beat the guard unconscious instead of killing him", paraphrase: true, want: []string{"Knocking a Creature Out"}},
	{q: "I'm terrified of the dragon, what penalties do I get?", paraphrase: true, want: []string{"Frightened"}},
	{q: "The medusa turned my character to stone, what now?", paraphrase: true, want: []string{"Petrified"}},
	{q: "How worn out can my character get before they die of fatigue?", paraphrase: true, want: []string{"Conditions > Exhaustion"}},
	{q: "Can I swap my sword for my bow in the middle of my turn for free?", paraphrase: true, want: []string{"Other Activity on Your Turn", "Interacting with Objects Around You"}},
	{q: "Do two blesses from two different clerics stack on me?", paraphrase: true, want: []string{"Combining Magical Effects"}},
	{q: "How many magic items can I be bonded to at once?", paraphrase: true, want: []string{"Attunement"}},
	{q: "Can a halfling run between the legs of an ogre?", paraphrase: true, want: []string{"Moving Around Other Creatures"}},
	{q: "Can the ogre fit through a narrow tunnel that is too tight for it?", paraphrase: true, want: []string{"Squeezing into a Smaller Space"}},
	{q: "How many miles can we walk in a day?", paraphrase: true, want: []string{"Travel Pace"}},
	{q: "What happens when my character goes insane?", paraphrase: true, want: []string{"Madness"}},
	{q: "We got sick from the rats in the sewers", paraphrase: true, want: []string{"Sewer Plague"}},
	{q: "How long does it take to make my own armor during my free time?", paraphrase: true, want: []string{"Crafting"}},
	{q: "How do I check the chest for hidden needles before opening it?", paraphrase: true, want: []string{"Detecting and Disabling a Trap", "Poison Needle"}},
	{q: "Do the bad guys roll to stay alive when they hit 0 like we do?", paraphrase: true, want: []string{"Monsters and Death"}},
	{q: "Can I smash the wooden door with my axe?", paraphrase: true, want: []string{"Statistics for Objects"}},
	{q: "Why does the enemy get a bonus to hit me when I'm lying on the ground?", paraphrase: true, want: []string{"Conditions > Prone", "Being Prone"}},
	{q: "My buddy can't see anything, does that make him easier to hit?", paraphrase: true, want: []string{"Blinded"}},
	{q: "The vampire's gaze made me its friend, can I still attack it?", paraphrase: true, want: []string{"Charmed"}},
	{q: "The spider's venom is in my blood, what penalties do I have?", paraphrase: true, want: []string{"Conditions > Poisoned"}},
	{q: "Can my cleric heal a friend who is far away across the room?", paraphrase: true, want: []string{"Spell Range"}},
	{q: "Can I spend my time off between quests learning to speak Elvish?", paraphrase: true, want: []string{"Training"}},
}
