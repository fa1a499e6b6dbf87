package retrieval

import "strings"

// glossarySource groups the words players use at the table with the terms
// the rule books use for the same thing. Each line is "concept: phrase,
// phrase, ...". A phrase is matched on word stems, stop words included, so
// "knocked out" and "knock out" are the same phrase; it has at most
// maxPhraseLen words. A phrase may belong to several concepts, but every
// concept it names adds all of that concept's words to a search, so common
// rules words ("turn", "action", "attack", "spell", "roll") are not phrases
// on their own, and ambiguous words are written as longer phrases.
//
// The list is tabletop vocabulary (fifth-edition style games), the same for
// every document. History: it was first written from general knowledge, then
// extended while looking at the misses of one retrieval evaluation question
// set, which left it covering mostly the topics those questions ask about.
// On 2026-11-27 it was rewritten and extended heading by heading from the
// rule book's table of contents (the SRD rules: combat, ability scores,
// adventuring, spellcasting, equipment and magic items, the planes and
// pantheons, conditions) with the everyday words, slang and in-fiction
// descriptions players use for each rule, plus general-English synonyms of
// its key term. Blank lines separate those areas, in that order. The
// prompt of that rewrite gave four example phrasings ("passed out", "mesh of
// rope", "locked up muscles", "zap") that come from the held-out question
// set, which is therefore reported as development data (docs/retrieval.md).
//
// Extend it the same way, from the rule books and from how players talk;
// never from an evaluation test set, whose scores it would then overstate.
const glossarySource = `
combatflow: combat round, how combat works, start of combat, start combat, begin combat, enter combat, combat begins, fight breaks out, combat encounter, battle, skirmish, brawl breaks out, step by step
surprise: ambush, surprise, surprise round, unaware, caught off guard, caught unawares, flat footed, free round, get the drop, don't notice, doesn't notice, not notice, without being noticed, sneak up, jump them, catch them napping
initiative: turn order, initiative, initiative order, initiative bonus, who goes first, go first, act first, who acts first, acting order, combat order
turn: my turn, on my turn, your turn, per turn, each turn, in one turn, one turn, end my turn, end of my turn, start of my turn, per round, each round, one round, a round, 6 seconds, six seconds
freeaction: free action, talk in combat, talk during combat, speak during combat, talk on my turn, shout, yell, call out, brief utterance, say a few words, without using an action, doesn't take an action
bonusaction: bonus action, quick action, extra action, swift action, minor action, second action
reaction: reaction, react, interrupt, response, out of turn, on their turn, instant response, respond
movement: movement, speed, walking speed, base speed, feet of movement, feet per turn, feet per round, squares of movement, movement speed, walk
breakmove: break up my move, breaking up movement, split my movement, split movement, split my move, move between attacks, move after attacking, move after my attack, attack and move, attack then move, move then attack, hit and run, remaining movement, rest of my movement, leftover movement, unused movement
movetypes: different speeds, fly speed, swim speed, climb speed, burrow speed, burrow, switch speeds, switch between speeds, change speeds
difficultterrain: difficult terrain, rough terrain, rough ground, uneven ground, broken ground, rubble, undergrowth, brambles, thick brush, dense forest, mud, muddy, swamp, bog, marsh, deep snow, ice, icy, slippery, steep slope, scree, shallow water, stairs, half speed, slows movement, extra movement cost, costs extra movement, double movement cost, every foot costs
prone: prone, lie down, lying down, lying on the ground, knocked down, knocked over, knocked prone, fall over, fall prone, drop prone, go prone, stand up, crawl, on the ground, flat on my back, on my face, hit the deck, get back up
movethrough: move through, pass through, run between, run past, get past, go past, walk past, their space, occupied space, enemy space, ally space, friend space, hostile space, between the legs, through an enemy, around other creatures, moving around, step over, tumble past
flying: fly, flight, flier, flyer, wings, airborne, in the air, midair, mid air, hover, soar, glide, knocked from the sky, fall from the sky, shot down, grounded
size: size, size category, creature size, how big, big, large, huge, gargantuan, tiny, small, medium, larger creature, smaller creature, bigger creature, size difference
space: space, squares, take up, footprint, how much room, 5 foot square, 5 ft square, occupy, share a space, same space, same square, control an area, hex
squeeze: squeeze, squeeze through, cramped, crawl through, tight, tight space, narrow, narrow passage, narrow corridor, fit through, too small, tunnel, crevice, crack, small opening, bottleneck
swapitems: draw, sheathe, stow, pull out, put away, swap, switch, switch weapons, weapon swap, draw a weapon, draw my sword, draw my weapon, sheathe my sword, drop my weapon, drop an item, pick up, pick up an item, hand over, hand an item, give an item, pass an item, open a door, close a door, pull a lever, free interaction, object interaction, free object interaction, interact with an object, interact with objects
attackaction: attack action, take the attack action, number of attacks, multiple attacks, extra attack, attack twice, two attacks, three attacks, attacks per turn, how many attacks, multiattack, flurry
dash: dash, sprint, run, hurry, rush, double move, double speed, double my speed, move twice, run faster, full speed, run for it, book it, charge at
flee: run away, flee, retreat, escape, get away, withdraw, back off, back away, step back, pull back, break away, slip away, leave combat, leave the fight, skedaddle, turn tail
disengage: disengage, without provoking, avoid opportunity attacks, safely withdraw, withdraw safely, step away, back away, retreat safely, tactical retreat, fighting retreat
dodgeaction: dodge, defend, defensive, full defense, total defense, go defensive, fight defensively, evade, evasive, turtle, parry, block, duck and weave
helpaction: help, aid, assist, give advantage, give them advantage, lend a hand, help out, help an ally, team up, distract, feint, create an opening, set up an attack
hideaction: hide action, take the hide action, break line of sight, duck out of sight, out of sight, lurk, skulk, camouflage, blend in, conceal myself, concealed, hide in combat, hide again, reveal my position, give away my position, stay hidden
ready: wait, wait until, ready, prepare an action, trigger, when he comes, when it comes, when they come, hold my action, hold action, hold my turn, delay, held action, readied spell
searchaction: search action, take the search action, look around, scan the room, scan the area, search for, search the room, search the area
useobject: use an object, use object, use an item, use action, pour, throw a flask, light a torch, pull the pin, operate, open a chest
attack: hit, strike, swing, swing at, stab, slash, punch, whack, smack, bonk, thwack, attack roll, to hit, does it hit, do i hit, miss
attackmods: attack bonus, attack modifier, bonus to hit, plus to hit, to hit bonus, hit bonus, add to the roll, add my modifier, add proficiency to attack, modifiers to the roll, penalty to hit, minus to hit
critical: crit, critical, critical hit, critical strike, nat 20, natural 20, natural twenty, rolled a 20, roll 20, double dice, double the dice, extra dice, auto hit, automatic hit, always hits, max damage
fumble: nat 1, natural 1, natural one, rolled a 1, roll 1, fumble, critical miss, crit fail, critical fail, critical failure, botch, automatic miss, auto miss, always misses
unseenattacker: unseen attacker, unseen target, can't see the target, can't see my target, attack something i, attack an invisible, invisible enemy, invisible attacker, hidden attacker, guess the location, guess the square, guess where, wrong square, swing blindly, attack blind, fight blind, blind fighting, fighting in the dark, attack from hiding, sneak attack from hiding, attack while hidden
ranged: shoot, shoot at, fire at, fire an arrow, ranged, bow, longbow, shortbow, crossbow, arrow, bolt, sling, throw, thrown, hurl, toss, lob, archery, archer, snipe, sniper, ammunition, ammo, long range, normal range, maximum range, far shot
range: range, distance, reach, far away, far, across the room, how far, away from, within range, out of range, in range, how many feet, feet away, range increment
rangedclose: ranged attack in melee, shoot in melee, ranged in melee, bow in melee, crossbow in melee, point blank, point blank range, close range, up close, enemy next to me, adjacent enemy, enemy adjacent, someone adjacent, within 5 feet, next to an enemy, in close combat
melee: melee, sword, axe, dagger, mace, club, hand to hand, close combat, close quarters, reach weapon, 5 foot reach, 10 foot reach, within reach, adjacent, next to
unarmed: unarmed, unarmed strike, fists, punch, kick, headbutt, bare hands, barehanded, brawl, fistfight, fist fight, fisticuffs, elbow, knee, bite, improvised weapon, chair, bottle
opportunity: free attack, attack of opportunity, opportunity attack, aoo, leave reach, provoke, walk away from, moving away from, leave melee, swing as they leave, free swing, parting shot
twoweapon: dual wield, dual wielder, two weapon, two weapon fighting, off hand, offhand, off hand attack, second weapon, weapon in each hand, both hands, two swords, two daggers, two blades, twin blades, paired weapons, akimbo
contest: contest, contested check, contested roll, opposed, roll off, versus, vs, tug of war, arm wrestle, compete, competition, beat their roll, match their roll, tied roll
grapple: grab, grapple, grappler, wrestle, seize, pin, pin down, hold down, hold onto, headlock, grip, bear hug, choke hold, chokehold, clinch, drag away, drag them, drag along, carry off, move a grappled, grappled creature
escapegrapple: escape a grapple, escape the grapple, escape grapple, break free, break the grapple, break a grapple, break the hold, break his grip, slip free, slip out, wriggle free, wriggle out, get loose, pull free, shake off, struggle free, squirm free, escape the hold, escape bonds
shove: push, shove, knock back, knockback, knock down, knock prone, knock them prone, trip, tackle, bull rush, shoulder check, barge, bowl over, knock off, push off, push them off, shove off, push into, shove into, kick away
cover: cover, take cover, behind, behind a wall, low wall, obstacle, duck, barricade, crouch behind, hide behind, behind a tree, tree trunk, pillar, column, arrow slit, murder hole, half cover, three quarters cover, total cover, full cover, partial cover, behind an ally, behind allies, through allies, shoot past, fire past, obstructed, shield wall
damage: hurt, harm, injure, injury, wound, damage roll, damage dice, damage die, roll damage, how much damage, deal damage, dealt damage, take damage, damage bonus, add modifier to damage
fire: fire, flame, fiery, burn, burnt, scorch, ablaze, on fire, set on fire, set alight, set fire, ignite, incinerate, inferno, blaze
cold: cold, freeze, frozen, frost, frostbite, chill, icy blast, ice damage, frigid, arctic, blizzard, winter, subzero
lightning: lightning, electricity, electrocute, shock, zap, spark, storm bolt
thunder: thunder, sonic, sound damage, concussive, shockwave, boom, loud bang, thunderclap, blast of sound
acid: acid, corrosive, corrode, caustic, dissolve, melt, burn through
necrotic: necrotic, life drain, drain life, draining, withering, decay, rot, death magic, negative energy, unholy
radiant: radiant, holy damage, holy light, divine damage, divine light, searing light, sacred, blessed light, positive energy
psychic: psychic, mental damage, mind blast, psionic, mental attack
force: force damage, pure magic, raw magic, magical force, magic missile, force field
bludgeoning: bludgeoning, blunt, blunt weapon, crush, smash, pummel, pound, hammer, club, mace
piercing: piercing, puncture, impale, skewer, stab, spear, arrow wound, bite wound
slashing: slashing, cut, slice, gash, hack, cleave, claw, blade
resistance: resistance, resist damage, immune, vulnerable, half damage, halved damage, take half, double damage, weak to, weakness, not affected by, unaffected, shrug off
hitpoints: hp, hit point, health, life, wounds, hit dice, hit die, hit point maximum, max hp, maximum hit points, hp max, health pool, vitality, meat points, how much health, hp per level, hit points per level, level up hp
heal: heal, cure, recover, regain, restore, patch up, first aid, potion of healing, healing potion, healer, mend, medic, get hp back, get back hp, regain hp, recover hp, top up, regenerate, regrow
dying: dying, bleeding out, death save, death saving throw, death roll, zero hit points, 0 hit points, zero hp, 0 hp, zero health, 0 health, downed, go down, goes down, went down, drop to 0, drop to zero, stay alive, keep alive, alive, three failures, three successes, three failed saves
instantdeath: instant death, instantly killed, instantly die, die instantly, die outright, killed outright, dead outright, massive damage, overkill, one shot, instakill, insta kill, excess damage, leftover damage, remaining damage, damage left over
unconscious: unconscious, knocked out, ko, kod, pass out, faint, consciousness, out cold, black out, comatose, coma, knocked unconscious, lights out, senseless
stabilize: stabilize, stabilise, stable, bleeding out, stop the bleeding, medicine check, first aid, bandage, patch them up, healer's kit, spare the dying
death: die, dies, dead, death, kill, slain, perish, deceased, corpse
monsterdeath: monsters and death, monster dies, monsters die, monster death, enemy dies, enemies die, npc dies, npcs die, finish off, finish them off, coup de grace, killing blow, deathblow, death blow, execute, do monsters make death
knockout: knock out, knock unconscious, knock them out, knock him out, knock her out, nonlethal, non lethal, subdue, subdual, spare, spare their life, take alive, take them alive, capture alive, leave alive, leave them alive, pull my punches, pull punches, pommel strike, beat unconscious, knock senseless, sap
temphp: temp hp, temporary hit points, temporary hp, temp hit points, thp, temporary, buffer, false life, shield points, extra hp, bonus hp, extra hit points, bonus hit points, extra health, overheal, damage shield
mount: horse, ride, rider, mount, mounted combat, steed, saddle, pony, mule, warhorse, war horse, charger, cavalry, cavalier, horseback, on horseback, mount up, dismount, get on my horse, get off my horse, fall off my horse, knocked off my horse, thrown from the saddle, unhorse, griffon, pegasus
mountcontrol: controlling a mount, control my mount, control the horse, controlled mount, independent mount, steer, rein, trained mount, untrained mount, horse attacks, mount attacks, make my horse attack, mount dash, mount disengage, mount dodge
underwater: underwater, under water, underwater combat, fight underwater, submerged, beneath the waves, in the water, below the surface, spear underwater, crossbow underwater, fire underwater, fully immersed, immersed

abilityscores: ability score, ability modifier, stat, stat block, attribute, score, modifier, stat bonus, stat mod, mod, point buy, roll stats, standard array, 4d6 drop lowest, score cap, max stat, 20 cap
advantage: advantage, disadvantage, roll twice, two d20s, roll two dice, roll 2d20, take the higher, take the lower, take higher, take lower, higher of two, lower of two, better of two, worse of two, penalty, upper hand, flank, cancel out, multiple sources of advantage, stack advantage, advantage and disadvantage
proficiency: proficiency, proficiency bonus, prof bonus, pb, expertise, double proficiency, add proficiency, add my proficiency, trained in, skilled, skilled at, know how to use, proficiency with
check: skill, ability check, make a check, roll a check, attempt a check, roll for it, try to
difficulty: dc, difficulty, difficulty class, hard, easy, very easy, very hard, nearly impossible, impossible, target number, how hard, how difficult, medium difficulty, moderate, tough, challenging, trivial, automatic success, auto success, no roll needed, don't need to roll, without rolling
passive: passive, passive perception, passive insight, passive investigation, take 10, take 20, notice automatically, automatically notice, without a roll, always on, average roll
workingtogether: working together, group check, group roll, group stealth, party stealth, as a group, as a party, whole party, whole group, everyone rolls, all of us roll, whole party rolls, team effort, teamwork, combine efforts, cooperate, half the group, half succeed
altskill: skills with different abilities, different ability, different stat, other stat, swap ability, alternate ability, strength intimidation, strength for intimidation, intelligence for, use strength for, variant skill
strength: strength, str, strong, stronger, mighty, brawn, brawny, muscle, muscular, brute force, raw power, burly, strongman
athletics: athletics, feat of strength, force open, force the door, pry open, prying, bend bars, bend the bars, lift the gate, break bonds, burst bonds, snap the rope, hang on, hold on, hold on tight, hold a door shut, tip over, topple, push a boulder, keep my grip
dexterity: dexterity, dex, nimble, agile, quick, reflexes, reflex save, deft, coordination, light on my feet, fast hands
acrobatics: acrobatics, tumble, flip, somersault, cartwheel, backflip, balance, keep my balance, lose my balance, tightrope, tight rope, ledge, narrow ledge, stay upright, stay on my feet, land on my feet, stunt, parkour, swing from, swing on a rope, chandelier
sleightofhand: sleight of hand, pickpocket, pick pocket, pick his pocket, lift a purse, cut a purse, cutpurse, steal, swipe, palm, plant an item, plant evidence, slip something, filch, pilfer, snatch, nick, conjuring trick, card trick, hide an object on
lockpicking: pick a lock, pick the lock, picking locks, lockpick, lock pick, thieves tools, unlock, locked door, locked chest, lock, open a lock, crack a safe, jimmy, break into, disable a lock
stealth: sneak, sneaky, stealth, stealthy, hide, hidden, unnoticed, quietly, silently, creep, tiptoe, sneak past, slip past, move silently, keep quiet, unheard, go unnoticed, stay out of sight
constitution: constitution, con save, con check, con score, con modifier, endurance, stamina, toughness, hardy, fortitude, grit, resilience, stay awake, go without sleep, drinking contest, drinking game, chug, down a drink
intelligence: intelligence, int, smart, clever, brains, brainy, intellect, intellectual, reasoning, logic, book learning, book smart, recall, remember, memory, lore, knowledge, know about, what do i know
arcana: arcana, arcane, arcane knowledge, magical knowledge, magic lore, identify a spell, recognize a spell, recognise a spell, identify magic, runes, glyph, sigil, magical symbols, know about magic
history: history, historical, legend, lore, ancient history, past events, heraldry, old wars, kingdoms, famous people, recall history
investigation: investigation, clue, search for clues, look for clues, examine, inspect, figure out, deduce, deduction, analyze, analyse, detective, hidden compartment, secret door, secret compartment, weak point, weak spot
nature: nature, natural world, plants, herbs, flora, fauna, animals, beasts, weather, terrain, identify a plant, identify an animal, wildlife, seasons, natural cycles
religion: religion, religious, rites, rituals of, prayers, pray, holy symbols, cult, cultist, clergy, priest, theology, scripture, heresy, holy texts, divine lore, church, temple
wisdom: wisdom, wis, wise, willpower, will save, strength of will, intuition, gut feeling, common sense, perceptive, awareness, attuned to, judgment, judgement
animalhandling: animal handling, handle animal, calm an animal, calm the animal, calm a horse, calm the beast, soothe, tame, domesticate, train an animal, animal training, beast whisperer, spook, spooked horse, steady my mount, pet the
insight: insight, sense motive, read them, read him, read her, read the room, read intentions, body language, tell if lying, tell if theyre lying, tell if hes lying, tell if shes lying, see through lies, detect lies, lie detector, are they lying, is he lying, is she lying, hunch, motives, intentions, suspicious, suspicion, trust them, can i trust, sincere
medicine: medicine, medical, diagnose, diagnosis, doctor, physician, surgeon, surgery, treat wounds, tend wounds, triage, cause of death, autopsy, examine a body, herbalism, herbalism kit, healer's kit
perceive: spot, notice, perceive, perception, detect, look for, see if, find, sense, keep watch, keep an eye out, lookout, on guard, watchful, listen, listen at the door, eavesdrop, overhear, hear, smell, sniff, scent, alert
survival: survival, track, tracker, footprints, follow tracks, follow the trail, trail, hunt, hunter, forage, navigate, get lost, lost, find the way, find our way, wilderness, wilds, outdoorsman, outdoors, predict weather, quicksand, natural hazards, live off the land
charisma: charisma, cha, charismatic, personality, force of personality, presence, confidence, social skills, social interaction, social, talk my way, smooth talk, smooth talker, silver tongue, face of the party
deception: deception, deceive, deceit, lie, lies, lying, liar, tell a lie, bluff, bluffing, fib, fool, trick, con artist, con man, mislead, disguise, pretend, impersonate, fake, forgery, forged documents, double talk
intimidation: intimidate, intimidation check, threaten, threat, menace, scare them, scare him, bully, coerce, coercion, strong arm, strongarm, browbeat, interrogate, torture, lean on, rough up, shake down, make them talk
performance: performance, sing, song, dance, play music, play an instrument, musical instrument, instrument, acting, actor, entertain, busk, storytelling, tell a story, juggle, comedy, jokes, recite, poetry
persuasion: persuade, persuasion, convince, negotiate, haggle, bargain, barter, diplomacy, diplomatic, plead, beg, reason with, talk down, talk them down, win over, sway, flatter, flattery, bribe, bribery, influence, good impression, make a deal
save: save, saving throw, resist the effect, make a save, made the save, make the save, succeed on a save, fail a save, failed save, failed the save, save against, save versus, save vs, roll a save, saving roll, shake it off, resist it
carry: carry, carrying capacity, weight limit, max weight, encumbrance, encumbered, heavily encumbered, load, weight, backpack, heavy, haul, gear, stuff, loot, slows me down, weigh down, overloaded, overburdened, too heavy, pack mule, lbs, pounds, size and strength
lifting: push drag or lift, push drag lift, drag, lift, hoist, heave, deadlift, lift a boulder, push a cart, drag a body
armorclass: ac, armor class, armour class, armor, armour, easier to hit, harder to hit, defense, defence, how hard to hit, unarmored, unarmoured, no armor, without armor, natural armor, shield bonus, dex to ac, dex bonus to ac, light armor, medium armor, heavy armor, armor rating

time: passage of time, time passes, how much time, in game time, game time, time scale, keep track of time, tracking time, hours pass, days pass, a day passes, minutes, hours, days, weeks, timekeeping
travel: travel, march, journey, trek, hike, miles, miles per day, miles per hour, mph, overland, overland travel, wilderness travel, cross country, road trip, voyage, expedition, cover ground, distance per day, on the road
travelpace: travel pace, pace, fast pace, slow pace, normal pace, faster pace, slower pace, travel faster, travel slower, travel stealthily, sneak while traveling, careful pace, hurry along, marching order, leisurely
forcedmarch: forced march, march longer, march all night, travel all night, keep marching, push on, push through the night, extra hours, more than 8 hours, longer than 8 hours, walk all night, night march
vehicle: mounts and vehicles, vehicle, cart, wagon, carriage, coach, chariot, sled, boat, ship, sail, row, rowboat, keelboat, longship, galley, warship, sailing ship, gallop, drive a cart
climb: climb, climber, scale, scale a wall, clamber, ascend, descend, rappel, abseil, climbing gear, climber's kit, handholds, cliff, cliff face, sheer wall, rope, climb a rope, up the wall
water: swim, swimmer, dive, tread water, paddle, stay afloat, afloat, sink, rough water, strong current, current, rapids, cross the river, river crossing, ford, wade, underwater
jump: jump, leap, vault, long jump, high jump, running jump, running start, standing jump, standing long jump, hop, jump across, jump over, leap across, clear a gap, jump a gap, broad jump, jumping distance
falling: fall, fell, fell off, fall off, plummet, plunge, tumble down, off a cliff, off a ledge, jump down, leap off, feather fall, slow fall, hit the ground, land, splat, pit, drop down
drowning: drown, breath, hold breath, hold my breath, suffocate, asphyxiate, choke, smother, strangle, garrote, out of air, run out of air, no air, airless, vacuum, gasp, water breathing
vision: sight, vision, visible, eyes, eyesight, line of sight, what can you see, what can i see, can i see, view, field of view
obscured: obscured, lightly obscured, heavily obscured, fog, foggy, mist, misty, smoke, smoky, foliage, dense foliage, haze, hazy, murky, murk, poor visibility, low visibility, blocked vision
light: bright light, dim light, daylight, sunlight, torchlight, candlelight, moonlight, moonlit, lantern, torch, candle, lamp, light source, dusk, dawn, twilight, shadows, shadowy, gloom, gloomy, well lit, lit room
darkness: dark, pitch black, pitch dark, unlit, lightless, no light, complete darkness, total darkness, blackness, at night, nighttime, dead of night, moonless, cave, underground, in the dark
darkvision: darkvision, dark vision, night vision, nightvision, see in the dark, see in darkness, low light vision, lowlight vision, infravision, dark sight
blindsight: blindsight, blind sight, blindsense, blind sense, tremorsense, echolocation, sense without sight, sense vibrations, feel vibrations, without eyes
truesight: truesight, true sight, true seeing, see through illusions, see invisible, see the invisible, see true forms, true form, pierce illusions, see through disguises, see shapechangers, see into the ethereal
food: eat, food, starve, starvation, hungry, hunger, ration, trail rations, provisions, supplies, meal, feast, go without food, without food, no food, days without food, pound of food, hunt for food, forage for food
drink: drink, thirst, thirsty, dehydrate, parched, water, water ration, waterskin, canteen, gallon of water, how much water, without water, no water, fresh water
rest: rest, sleep, asleep, nap, camp, make camp, set up camp, overnight, bed down, rest up, take a break, take a rest, hit the hay, get some sleep, respite, recharge
shortrest: short rest, breather, catch our breath, catch my breath, catch breath, take five, quick rest, one hour rest, hour long rest, spend hit dice, spend hit die, roll hit dice, sr
longrest: long rest, 8 hours, eight hours, full rest, night's rest, night of rest, good night's sleep, full night's sleep, sleep through the night, rest overnight, 8 hour rest, interrupted rest, rest interrupted, standing watch, take watch, night watch, on watch, guard duty, once per day, once a day, 24 hours
downtime: downtime, down time, between adventures, between sessions, free time, spare time, time off, between quests, days off, week off, in town, back in town, idle time, time between adventures, downtime activity, downtime days
lifestyle: lifestyle, lifestyle expenses, cost of living, living expenses, standard of living, quality of life, upkeep, room and board, lodging, inn, tavern, stay at an inn, rent, wretched, squalid, poor, modest, comfortable, wealthy, aristocratic, live rough, sleep in the streets, daily expenses, living costs
craft: craft, crafter, build, forge, smith, blacksmith, brew, make my own, crafting time, make items, make an item, make armor, make a weapon, artisan tools, tinker, carpentry, woodworking, leatherworking, market value, raw materials
profession: profession, practicing a profession, job, day job, get a job, work a job, earn money, make money, earn gold, earn a living, wage, employment, gainful employment, paid work, odd jobs, hired work, perform for money
recuperating: recuperate, recover from injury, recover from disease, recover from poison, convalesce, bed rest, heal up, lingering injury, debilitating injury, nurse back to health, rehabilitation
research: research, library, archive, sage, look it up, look up, find information, dig up information, study, tomes, old books, pore over
training: learn a language, learn a new language, new language, language, learn a tool, tool proficiency, train, teach, teacher, instructor, mentor, tutor, apprentice, apprenticeship, lessons, gain proficiency, new proficiency, study, 250 days
trap: trap, booby trap, trap door, trapdoor, snare, deadfall, pressure plate, tripwire, trip wire, pit trap, dart, magical trap, mechanical trap, complex trap, trap dc, springs a trap, spring the trap, set off, trigger a trap, triggered the trap
trapdetect: find traps, find a trap, spot a trap, spot traps, search for traps, check for traps, detect traps, detect a trap, notice a trap, trap detection, disarm, disarm a trap, disable a trap, disable the trap, disabling, defuse, deactivate, jam the mechanism, trap sense
collapsingroof: collapsing roof, collapse, cave in, ceiling collapse, roof collapses, falling rocks, falling debris, rockfall, rubble falls, falling ceiling
fallingnet: falling net, net trap, net falls, weighted net, caught in a net
firestatue: fire breathing statue, fire trap, flame jet, flames shoot, gout of flame, statue breathes fire, burning statue
pits: pits, spiked pit, hidden pit, locking pit, simple pit, pit trap, pitfall, spikes, covered pit, false floor, pit lid
poisondarts: poison darts, dart trap, darts shoot, blowgun trap, darts from the walls
poisonneedle: poison needle, needle trap, poisoned lock, needle in the lock
rollingsphere: rolling sphere, rolling boulder, giant boulder, boulder trap, rolling stone, ball rolling
annihilation: sphere of annihilation, black sphere, void sphere, annihilate, green devil face, devil face, erased from existence
disease: sick, ill, disease, plague, infect, fever, contagion, contagious, catch a disease, contract a disease, pestilence, epidemic, pox, rot, germs, outbreak
cacklefever: cackle fever, laughing sickness, uncontrollable laughter, laughing fits, fits of laughter, giggling, mad laughter
sewerplague: sewer plague, sewer, rat bite, bitten by a rat, filth, filthy, dirty water
sightrot: sight rot, eye infection, eyes rotting, going blind, losing my sight, bleeding eyes, eye disease
madness: crazy, insane, madness, sanity, deranged, go mad, driven mad, lose my mind, lose their mind, mental breakdown, nervous breakdown, breakdown, psychosis, hysteria, hysterical, unhinged, lunatic, trauma, traumatized, mind shattered
madnesseffects: short term madness, long term madness, indefinite madness, madness effects, madness table, new flaw, flaw, tic, compulsion, obsession, catatonic, babbling, paranoid, paranoia, phobia of, hallucinate, delusion
curemadness: curing madness, cure insanity, restore sanity, regain sanity, cured of madness, calm emotions, lesser restoration, greater restoration, remove curse, therapy, treatment

spellcasting: spellcaster, caster, cast a spell, cast spells, spellcasting ability, casting stat, casting ability, casting modifier, wizard, cleric, sorcerer, warlock, druid, bard, paladin
spelllevel: spell level, level of a spell, level of the spell, 1st level spell, first level spell, 9th level spell, ninth level, high level spell, low level spell, spell tier, spell circle
knownprepared: known spells, spells known, prepared spells, prepare my spells, prepared list, change prepared spells, change my spells, swap spells, swap out spells, spellbook, spell book, memorize, memorise, learn a spell, learn spells, learn new spells, spell list, pick spells, choose spells
spellslot: slot, slots left, out of slots, out of spells, ran out of spells, spell points, expend a slot, expended slot, spend a slot, use a slot, regain slots, recover slots, recover spell slots, mana, magic points, mp
upcast: upcast, higher level, at a higher level, cast at higher level, higher slot, higher level slot, bigger slot, use a higher slot, level up the spell, scale up, scaling, boost a spell, empower, overcharge
armorcasting: plate, chain mail, wearing armor, cast in armor, spellcasting in armor, casting while armored, armored caster, wizard in armor, armor proficiency, not proficient with armor, spell failure, arcane failure
cantrip: cantrip, unlimited casting, unlimited spells, infinite spells, level 0 spell, 0 level spell, zero level spell, 0th level, orison, minor spell, cantrip scaling
ritual: ritual, ritual tag, ritual casting, cast as a ritual, extra ten minutes, 10 extra minutes, 10 minutes longer, without a slot, no slot, free casting
castingtime: casting time, time to cast, takes to cast, long to cast, longer casting time, 1 minute cast, 10 minute cast, 1 hour cast, cast over several turns, channel, keep casting, interrupted casting, casting interrupted
bonusspell: bonus action spell, bonus action cantrip, cast two spells, two spells in one, two spells per turn, two spells a turn, spell and a cantrip, cantrip and a spell, double cast, quickened spell, bonus action casting
reactionspell: reaction spell, cast as a reaction, cast with my reaction, counterspell, shield spell, feather fall, hellish rebuke
spellrange: spell range, range of a spell, range of the spell, casting range, touch spell, touch range, range touch, range of touch, self range, range self, cast at range, how far can spells
components: component, spell components, component pouch, pouch, vsm, v s m, vs m, ingredient, reagent, material, material component, focus, spellcasting focus, arcane focus, holy symbol, druidic focus, wand, orb, staff, rod, diamond, gem, pearl, guano, costly component, consumed component, gold cost, expensive component
verbal: verbal, verbal component, speak, incantation, chant, say the words, words, gagged, silenced, can't speak, cannot speak, mute, mouth covered, cast silently, cast quietly, whisper, subtle spell
somatic: somatic, somatic component, gesture, hand gestures, hand movements, wave my hands, free hand, hand free, hands full, both hands full, sword and shield, hands tied, tied hands, hands bound, handcuffed, manacled, wiggle fingers, hand signs
duration: duration, how long it lasts, lasts, last for, until dispelled, permanent, wear off, expire, time limit, how many rounds, dismiss, end a spell, end the spell, end it early, instantaneous, instant, instantly
concentration: concentrate, maintain, sustain, keep up, keep going, keep it going, two spells, at the same time, concentration check, concentration save, concentration spell, lose concentration, lost concentration, break concentration, broke my concentration, drop concentration, keep concentration, maintain concentration, hold a spell, distracted, two concentration spells
targets: target, choose a target, pick a target, pick targets, aim, aim at, valid target, who can i target, number of targets, how many targets, single target, multiple targets, creatures of my choice
clearpath: clear path, line of effect, line of sight, blocked line, through glass, behind glass, glass window, through a window, window, obstruction, blocked by, total cover spell, through a wall, around a corner, around corners
targetself: target myself, target yourself, cast on myself, cast it on myself, self target, include myself, affect myself, hit myself, caught in my own, friendly fire, hit my allies, hurt my allies, allies in the area, ally in the blast, own fireball
aoe: area of effect, aoe, area spell, blast radius, splash, explosion, burst, template, point of origin, origin point, size of the area, squares affected, which squares, count squares, grid, hexes affected, spread
cone: cone, cone shaped, fan, fan shaped, triangle, spray, breath weapon, breath cone
cube: cube, cube shaped, square area, box shaped
cylinder: cylinder, column of, pillar of, tower of, radius and height
line: line spell, line shaped, straight line, in a line, beam, ray, lightning bolt, line of fire
sphere: sphere, sphere shaped, radius, ball, globe, burst radius, fireball, circle around
spellsave: spell save, spell save dc, save dc, spell dc, saving throw dc, dc of my spell, dc of the spell, save against a spell, resist a spell, half on a save, save for half
spellattack: spell attack, spell attack roll, spell attack bonus, spell attack modifier, spell to hit, to hit with spells, ranged spell attack, melee spell attack, touch attack, hit with a spell
stacking: stack, combine, overlap, cumulative, add together, combining magical effects, same spell twice, two of the same, double up, same effect twice, multiple castings, most potent, strongest effect, highest bonus, do they stack, does it stack
schools: school of magic, spell school, magic school, arcane tradition
abjuration: abjuration, protective magic, ward, banish, dispel, counter magic
conjuration: conjuration, summon, teleport, create objects
divination: divination, fortune telling, scry, foresee, foresight, prophecy, clairvoyance, detect magic, augury
enchantment: enchantment, mind affecting, mind magic, compulsion magic, charm magic
evocation: evocation, evoker, blast, blaster, elemental magic, energy blast, damage spells
illusion: illusion, illusionist, illusory, figment, phantasm, fake image, mirage, glamour, disbelieve, see through an illusion
necromancy: necromancy, necromancer, necromantic, undead, raise dead, animate dead, zombie, skeleton, reanimate, resurrect, bring back to life, come back to life
transmutation: transmutation, transform, shapechange, shape change, polymorph, change shape, turn into

money: gold, gp, silver, copper, platinum, electrum, coin, money, price, cost, pay, buy, sell, cash, currency, coinage, gold pieces, silver pieces, copper pieces, platinum pieces, electrum pieces, cp, sp, ep, pp, wealth, treasure, purse
exchange: exchange rate, standard exchange rates, conversion, convert, convert coins, change money, make change, money changer, denomination, how many silver, how many copper, how many gold, worth in gold, coin weight, weight of coins, coins weigh, trade goods, barter goods, gems as money
object: break, destroy, object, bash, door, smash, wooden, chest, break down, kick down, kick in, kick in the door, bust open, shatter, demolish, wreck, sunder, cut through, chop through, hack through, break a door, break the door, break a wall, knock down a wall, break a chain, cut a rope, burn down
objectstats: object ac, object armor class, object hit points, object hp, door hp, door ac, damage threshold, hardness, durability, fragile, flimsy, resilient, sturdy, huge object, gargantuan object, objects and damage types, statistics for objects, how tough is
poisoncraft: poisons, poison types, contact poison, ingested poison, inhaled poison, injury poison, coat a weapon, coat my blade, poison my blade, apply poison, poisoned weapon, poisoned blade, poisoned arrow, poison a drink, poison the food, poison their drink, poisoner's kit, harvest poison, harvest venom, extract poison, extract venom, milk venom, buy poison, poison price, gas, poison gas, toxic fumes, fumes
truthserum: truth serum, truth drug, truth potion, tell the truth, compel truth, force the truth
sleeppoison: drow poison, knockout poison, knockout drops, sleep poison, sleeping draught, sedative, sedate, drug, tranquilizer, tranquiliser, torpor, put to sleep
magicitem: magic item, enchanted item, enchanted weapon, magic weapon, magic sword, magic armor, wondrous item, artifact, relic, trinket, magic ring, magic gear, magic loot
attunement: bond, bond with, attune, attunement slots, attune to, how many items, three items, 3 items, item limit, unattune, end attunement, break attunement, identify, learn its properties
wearing: wear, worn, wield, equip, donning, doff, doffing, put on, take off, remove armor, fit, does it fit, resize, size to fit, shrink to fit, one size fits all
multipleitems: multiple items, two rings, two cloaks, two amulets, two helmets, two hats, two belts, wear two, same kind, same kind of item, how many rings, ring on each, rings on every finger
paireditems: paired items, pair of boots, pair of gloves, pair of gauntlets, pair of bracers, boots, gloves, gauntlets, bracers, one boot, one glove, both boots, both gloves, mismatched boots
activating: activate, use a magic item, use the magic item, how to use, turn on, switch on, item activation
commandword: command word, password, passphrase, pass phrase, magic word, keyword, activation word, say the word, speak the word, utter the word, speak the command
consumables: consumable, single use, one use, one time use, used up, expended, potion, drink a potion, quaff, quaffing, administer a potion, feed a potion, scroll, magic arrow, magic ammunition, elixir, oil
itemspells: cast from an item, cast a spell from, spell from a wand, spell from a staff, wand spell, staff spell, item spell, spells from items, item save dc, item spell level
charges: item charges, number of charges, charges left, out of charges, run out of charges, regain charges, expend charges, expend a charge, use a charge, recharge, recharge at dawn, uses per day, uses left, how many uses, last charge, empty wand, crumbles to dust, crumbles into ashes
sentient: sentient item, sentient weapon, sentient sword, sentient magic item, intelligent item, intelligent weapon, intelligent sword, talking sword, talking weapon, living weapon, item personality, item alignment, ego, telepathic item, item communicates, item speaks, sword talks, weapon talks, item senses, special purpose, item purpose, possessed item, possessed weapon, haunted item, soul in the, trapped soul
sentientconflict: conflict with item, conflict with the item, item conflict, item takes control, item controls me, item takes over, takes control of me, item demands, item refuses, refuses to work, defy the item, resist the item, battle of wills, contest of wills, item wants
cursed: curse, cursed item, cursed weapon, cursed sword, hex, jinx, bad luck, can't get rid of, can't remove it, can't take it off, stuck to me, bound to me, remove curse, break a curse, break the curse, lift the curse, uncurse, malediction, doomed
pantheon: pantheon, god, goddess, deity, divine being, divinity, worship, worshipper, patron deity, patron god, god of, goddess of, celtic, greek, egyptian, norse, olympian, asgard, asgardian, druidic gods
planes: plane, planes of existence, other planes, another plane, other worlds, another world, other dimension, another dimension, dimension, multiverse, cosmos, cosmology, realm, material plane, prime material, material world, mortal world, mortal realm
transitiveplanes: transitive planes, ethereal plane, ethereal, border ethereal, astral plane, astral, astral sea, astral projection, spirit world, ghost world, silver cord, dream realm
innerplanes: inner planes, elemental plane, elemental chaos, plane of fire, plane of water, plane of air, plane of earth, elemental realm, para elemental
outerplanes: outer planes, upper planes, lower planes, divine realms, home of the gods, heaven, hell, nine hells, abyss, afterlife, underworld, paradise, celestial realm, fiendish realm, alignment planes
demiplane: demiplane, pocket dimension, pocket plane, extradimensional space, extradimensional, extra dimensional, bag of holding, rope trick, magnificent mansion
planartravel: planar travel, plane travel, travel to another plane, travel between planes, plane shift, planeshift, plane hopping, planar portal, portal, gate, rift, interplanar, doorway to another
enemy: monster, enemy, foe, hostile, villain, npc, bad guy, opponent, adversary

conditions: condition, status effect, status ailment, ailment, affliction, debuff, negative effect, end the condition, remove the condition
blinded: blind, can't see, cannot see, blindfold, go blind, gone blind, lose my sight, lost my sight, sightless, eyes gouged, sand in my eyes, eyes covered, can't see anything
charmed: charm, befriend, enthrall, mind control, dominated, beguile, friendly, hypnotize, hypnotised, mesmerize, infatuated, seduce, bewitched, spellbound, brainwashed, under a spell, puppet
deafened: deaf, deafened, can't hear, cannot hear, hearing, can't hear anything, ears ringing, ringing ears, burst eardrums, eardrums, hard of hearing
frightened: scared, afraid, fear, terrified, frightened, fright, panic, panicked, cower, terror, horror, horrified, spooked, shaken, phobia
incapacitated: incapacitated, helpless, can't act, cannot act, can't take actions, no actions, no reactions, out of action, out of commission, lose my turn, skip my turn, lost my turn
invisible: invisible, unseen, can't be seen, not visible, vanish, disappear, transparent, greater invisibility, go invisible
paralyzed: paralyzed, paralysed, paralysis, frozen in place, can't move, cannot move, can't move a muscle, held in place, hold person, immobilized, immobilised, rigid, locked up, seized up, frozen stiff
petrified: stone, petrified, petrification, statue, turned to stone, stone statue, flesh to stone, medusa, basilisk, calcified
poisoned: poison, venom, toxin, toxic, nausea, nauseous, nauseated, queasy, sickened, sick to my stomach, vomit, throw up
restrained: tied up, tie up, tied, bound, restrain, restraints, net, rope, entangle, tangled, ensnared, snared, web, shackles, manacles, chained, stuck, held fast, trapped in, caught in, pinned down
stunned: stun, dazed, reeling, stupefied, seeing stars, knocked silly, concussed, stun lock, stunlocked
exhaustion: tired, fatigue, exhausted, exhaustion level, level of exhaustion, weary, worn out, tired out, wiped out, drained, spent, bone tired, dead tired, knackered, sleep deprived, overexertion, burnt out
`

// maxPhraseLen is the most words of a glossary phrase.
const maxPhraseLen = 4

// glossary maps a phrase, as space-separated stems, to its concepts.
var glossary = func() map[string][]string {
	m := map[string][]string{}
	for line := range strings.SplitSeq(glossarySource, "\n") {
		concept, phrases, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		concept = strings.TrimSpace(concept)
		for p := range strings.SplitSeq(phrases, ",") {
			toks := tokens(p)
			if len(toks) == 0 || len(toks) > maxPhraseLen {
				continue
			}
			for i, t := range toks {
				toks[i] = stem(t)
			}
			key := strings.Join(toks, " ")
			if !containsString(m[key], concept) {
				m[key] = append(m[key], concept)
			}
		}
	}
	return m
}()

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// expansion returns the glossary's other phrasings of the concepts named in
// text, as one space-separated string of words that are not already in
// text: the extra words a keyword search also looks for ("terrified" adds
// "scared afraid fear frightened ...").
func expansion(text string) string {
	toks := tokens(text)
	have := map[string]bool{}
	for _, t := range toks {
		have[stem(t)] = true
	}
	var out []string
	for _, c := range concepts(toks) {
		for _, w := range conceptWords[c] {
			if s := stem(w); !have[s] {
				have[s] = true
				out = append(out, w)
			}
		}
	}
	return strings.Join(out, " ")
}

// conceptWords lists each concept's words (not stop words), as written.
var conceptWords = func() map[string][]string {
	m := map[string][]string{}
	seen := map[string]map[string]bool{}
	for line := range strings.SplitSeq(glossarySource, "\n") {
		concept, phrases, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		concept = strings.TrimSpace(concept)
		if seen[concept] == nil {
			seen[concept] = map[string]bool{}
		}
		for _, w := range tokens(phrases) {
			if isStopWord(w) || seen[concept][stem(w)] {
				continue
			}
			seen[concept][stem(w)] = true
			m[concept] = append(m[concept], w)
		}
	}
	return m
}()
