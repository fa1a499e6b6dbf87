package retrieval_test

// blindQuestions2 is a second blind test set for the retrieval evaluation.
// It was written on 2026-11-27 by a helper session started for that one
// purpose. The author read only the SRD data README, the JSON rule sections
// and conditions in /work/shared/data/srd/ (the text the rules book is built
// from), the srdRulesBook and pathContains helpers, and the evalQuestion type
// declaration. The questions were written from the rules text alone, without
// seeing the search code, the glossary or any other question set, and were
// never run against the retrieval system or checked against what it returns.
// Every want entry was verified against the headings of the JSON descs.
//
// Half the questions (paraphrase: false) use the book's own terms; the other
// half (paraphrase: true) ask the way players talk at the table, describing
// a situation and mostly avoiding the answering section's key terms.
//
// This set must never be used to tune anything (search code, glossary,
// weights, chunking or thresholds); it only measures. If it is ever used for
// tuning, it stops being blind and a new set has to be written.
var blindQuestions2 = []evalQuestion{
	// --- in the book's own terms ---
	{q: "What bonus to AC and Dexterity saving throws does a target with three-quarters cover get?", want: []string{"Cover"}},
	{q: "What happens when you roll a 1 or a 20 on a death saving throw?", want: []string{"Death Saving Throws"}},
	{q: "What time scales does the GM use to track time in a dungeon, in the wilderness, and in combat rounds?", want: []string{"Time"}},
	{q: "What benefits does the Dodge action give until the start of your next turn?", want: []string{"Actions in Combat > Dodge"}},
	{q: "Does taking the Disengage action prevent opportunity attacks for the rest of the turn?", want: []string{"Actions in Combat > Disengage", "Opportunity Attacks"}},
	{q: "How can a grappled creature use its action to escape a grapple?", want: []string{"Grappling"}},
	{q: "How many damage dice do you roll on a critical hit?", want: []string{"Critical Hits"}},
	{q: "When are damage resistance and vulnerability applied, and do multiple instances of resistance stack?", want: []string{"Damage Resistance and Vulnerability"}},
	{q: "Do temporary hit points stack with each other, and can healing restore them?", want: []string{"Temporary Hit Points"}},
	{q: "What happens if your concentration is broken while casting a spell with a casting time longer than one action?", want: []string{"Longer Casting Times"}},
	{q: "How is the saving throw DC of a spell calculated?", want: []string{"Spell Saving Throws"}},
	{q: "How much longer does it take to cast a spell as a ritual, and does the ritual expend a spell slot?", want: []string{"Rituals"}},
	{q: "What happens when you cast a spell using a spell slot of a higher level than the spell?", want: []string{"Casting a Spell at a Higher Level"}},
	{q: "If you cast a spell as a bonus action, what other spells can you cast on the same turn?", want: []string{"Casting Time > Bonus Action"}},
	{q: "Can a component pouch or spellcasting focus replace a material component that has a cost?", want: []string{"Material (M)"}},
	{q: "How do you determine an ability modifier from an ability score?", want: []string{"Ability Scores and Modifiers"}},
	{q: "What happens if a roll has both advantage and disadvantage?", want: []string{"Advantage and Disadvantage"}},
	{q: "How do you calculate a passive check score, and how do advantage and disadvantage affect it?", want: []string{"Passive Checks"}},
	{q: "How does a group ability check work, and how many members of the group must succeed?", want: []string{"Group Checks"}},
	{q: "Under the variant encumbrance rule, how much does being encumbered or heavily encumbered reduce your speed?", want: []string{"Variant: Encumbrance"}},
	{q: "How far can you go with a running long jump or a high jump?", want: []string{"Jumping"}},
	{q: "What can a creature with truesight perceive?", want: []string{"Truesight"}},
	{q: "How do dim light and darkness affect vision and Wisdom (Perception) checks?", want: []string{"Vision and Light"}},
	{q: "How many Hit Dice can a character spend at the end of a short rest, and how many hit points does each one restore?", want: []string{"Short Rest"}},
	{q: "How much gp worth of progress can a character make per day of crafting during downtime, and what do the raw materials cost?", want: []string{"Crafting"}},
	{q: "How long do short-term, long-term, and indefinite madness last?", want: []string{"Madness Effects"}},
	{q: "What are the symptoms of sewer plague and how does an infected creature recover from it?", want: []string{"Sewer Plague"}},
	{q: "What checks are used to detect and disable a trap?", want: []string{"Detecting and Disabling a Trap"}},
	{q: "How many magic items can a creature be attuned to at once, and how does attunement end?", want: []string{"Attunement"}},
	{q: "How do lifestyle expenses affect the way others react to your character?", want: []string{"Lifestyle Expenses"}},
	{q: "What is the Armor Class of an object made of stone, iron, or adamantine?", want: []string{"Object Armor Class"}},
	{q: "How do contact, ingested, inhaled, and injury poisons differ?", want: []string{"Poisons"}},
	{q: "What penalties does the prone condition impose on attack rolls made by and against a prone creature?", want: []string{"Conditions > Prone"}},
	{q: "What are the effects of the stunned condition?", want: []string{"Conditions > Stunned"}},
	{q: "What are the Transitive Planes, the Ethereal Plane and the Astral Plane?", want: []string{"Transitive Planes"}},
	{q: "Which deity of the Norse pantheon is the god of storms and thunder, and what is his symbol?", want: []string{"Norse Deities"}},
	{q: "Can a magic item that requires a command word be activated inside the area of a silence spell?", want: []string{"Command Word"}},
	{q: "When you cast a spell from a magic item, at what level is it cast and does it expend your spell slots?", want: []string{"Activating an Item > Spells"}},
	{q: "How are a sentient magic item's Intelligence, Wisdom, and Charisma scores determined?", want: []string{"Creating Sentient Magic Items > Abilities"}},
	{q: "Which creatures dwell in the Upper Planes and the Lower Planes of the Outer Planes?", want: []string{"Outer Planes > Outer Planes"}},

	// --- the way players talk at the table ---
	{q: "The orc is trying to run past me to get to our wizard — do I get a free swing at him as he leaves my reach?", paraphrase: true, want: []string{"Opportunity Attacks"}},
	{q: "I want to push the cultist off the ledge into the pit. How do I do that?", paraphrase: true, want: []string{"Shoving a Creature"}},
	{q: "Our fighter is down and dying and nobody has any healing magic left — can I patch him up somehow so he stops slipping away?", paraphrase: true, want: []string{"Stabilizing a Creature"}},
	{q: "I want to beat the thug senseless instead of killing him so we can question him later — can I?", paraphrase: true, want: []string{"Knocking a Creature Out"}},
	{q: "My archer has a goblin right up in her face — is it harder to shoot with her bow?", paraphrase: true, want: []string{"Ranged Attacks in Close Combat"}},
	{q: "The thing just vanished into thin air and I swing my axe where I think it is — what happens to my roll?", paraphrase: true, want: []string{"Unseen Attackers and Targets", "Conditions > Invisible"}},
	{q: "We're fighting sharks in a flooded shipwreck — does my longsword still work properly, and can I use my bow?", paraphrase: true, want: []string{"Underwater Combat"}},
	{q: "Can I hop onto my horse and still ride into the fight this turn, and what happens to me if the horse gets knocked over?", paraphrase: true, want: []string{"Mounting and Dismounting"}},
	{q: "The dragon roared and now my character is terrified of it — can I still walk up and hit it?", paraphrase: true, want: []string{"Conditions > Frightened"}},
	{q: "Can I pull out my sword and kick open the door while running at the guy, without giving up my attack?", paraphrase: true, want: []string{"Other Activity on Your Turn", "Interacting with Objects Around You"}},
	{q: "A brawl breaks out in the tavern — how do we figure out who gets to go first?", paraphrase: true, want: []string{"The Order of Combat > Initiative", "Dexterity > Initiative"}},
	{q: "We crept up on the bandit camp and they had no clue we were there — do they lose their first turn?", paraphrase: true, want: []string{"Surprise"}},
	{q: "I want to hold my crossbow shot until the door creaks open and then fire — how do I set that up?", paraphrase: true, want: []string{"Actions in Combat > Ready"}},
	{q: "We've been marching with no sleep and barely any food for days and everyone is dragging — what penalties pile up as it gets worse?", paraphrase: true, want: []string{"Exhaustion"}},
	{q: "The medusa turned our fighter to stone — what does that mean for him, and does he keep getting older in there?", paraphrase: true, want: []string{"Conditions > Petrified"}},
	{q: "The lich is keeping up some big ongoing magic and I just put an arrow in him — does that mess up his focus?", paraphrase: true, want: []string{"Concentration"}},
	{q: "My wizard wants to throw spells while wearing heavy plate he's never trained to use — is that allowed?", paraphrase: true, want: []string{"Casting in Armor"}},
	{q: "The bandits gagged our wizard and tied her hands behind her back — can she still do any magic?", paraphrase: true, want: []string{"Components"}},
	{q: "Can my sorcerer zap a goblin that has ducked completely behind a thick stone pillar?", paraphrase: true, want: []string{"A Clear Path to the Target", "Cover"}},
	{q: "My cleric only has so much magic in her each day — how many big prayers can she throw before she has to sleep it off?", paraphrase: true, want: []string{"Spell Slots"}},
	{q: "Two of our clerics both put the same blessing on me — do I get to roll the bonus die twice?", paraphrase: true, want: []string{"Combining Magical Effects"}},
	{q: "The merchant wants 3 gold for the rope, but all I have is a pile of silver and copper — how many of those do I hand over?", paraphrase: true, want: []string{"Standard Exchange Rates"}},
	{q: "The ogre and I are both yanking on the same treasure chest trying to rip it away from each other — how do we decide who ends up with it, and what if we tie?", paraphrase: true, want: []string{"Ability Checks > Contests"}},
	{q: "My buddy wants to lend a hand while I pick this lock, but he's never touched lockpicks in his life — can he still help?", paraphrase: true, want: []string{"Working Together"}},
	{q: "My rogue is crouched behind some crates and the guard isn't actively looking around — can the guard still notice her?", paraphrase: true, want: []string{"Hiding"}},
	{q: "Our wand only has so many zaps in it — how do we find out how many are left?", paraphrase: true, want: []string{"Charges"}},
	{q: "We kept hiking way past our usual stopping time to reach the city tonight — does pushing on like that wear us out?", paraphrase: true, want: []string{"Speed > Travel Pace"}},
	{q: "Our rogue slipped off a 60-foot cliff — how badly is she hurt when she hits the bottom?", paraphrase: true, want: []string{"The Environment > Falling"}},
	{q: "We're deep in a pitch-black cave and only the dwarf can make anything out — how well does he actually see down here?", paraphrase: true, want: []string{"Darkvision"}},
	{q: "We ran out of supplies crossing the desert — how many days can we last without eating, and how much do we need to drink in this heat?", paraphrase: true, want: []string{"Food and Water"}},
	{q: "If we camp and sleep through the night, do we get all our health back, and can we do it again after lunch?", paraphrase: true, want: []string{"Long Rest"}},
	{q: "Between adventures I want to spend a couple of weeks in the city library digging up lore on the lich — how does that work and what does it cost me?", paraphrase: true, want: []string{"Researching"}},
	{q: "Our ranger drank from a nasty pond and now his eyes are bleeding and getting blurrier every day — is there an herb that fixes it?", paraphrase: true, want: []string{"Sight Rot"}},
	{q: "After reading the forbidden tome our bard's mind snapped and he's acting bizarre — what magic can bring him back to normal?", paraphrase: true, want: []string{"Curing Madness"}},
	{q: "I opened a locked chest without the key and something tiny jabbed my finger from the lock — what did it do to me, and could I have spotted it?", paraphrase: true, want: []string{"Poison Needle"}},
	{q: "I want to hack through a wooden door with my axe — how much punishment can it take before it breaks?", paraphrase: true, want: []string{"Statistics for Objects", "The Environment > Interacting with Objects"}},
	{q: "I only found one of the magic boots in the dragon's hoard — does a single boot still do anything?", paraphrase: true, want: []string{"Paired Items"}},
	{q: "My talking sword keeps bossing me around and I've been ignoring it — can it actually fight me for control?", paraphrase: true, want: []string{"Sentient Magic Items > Conflict"}},
	{q: "How can our party physically get to a god's home realm or to the world of elemental fire — spells, magic doorways, what?", paraphrase: true, want: []string{"Planar Travel"}},
	{q: "My cleric serves the jackal-headed god who judges the dead — what's his alignment and which domains fit him?", paraphrase: true, want: []string{"Egyptian Deities"}},
}
