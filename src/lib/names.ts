/**
 * Run names in Prefect's style: `adjective-animal` (e.g. `whispering-wildcat`), chosen at random.
 * The word lists are our own.
 */

const ADJECTIVES = `able amber ancient agile airy ardent astute auburn azure bold brave bright brisk bronze bubbly calm candid
careful certain charming cheerful clever cobalt cosmic courageous crafty crimson curious daring dashing dazzling
devoted diligent dynamic eager earnest electric elegant emerald energetic epic exotic fabulous fair famous fancy
fearless fervent fiery flashy fluffy flying fortunate friendly frosty funky gallant gentle giant gifted glossy
golden graceful grinning groovy handsome happy hardy heroic hilarious honest hopeful humble icy illustrious
imaginary impressive industrious ingenious inquisitive invisible jolly jovial joyful keen kind lavender lively
logical loyal lucky luminous magnetic majestic marvellous meek mellow merry mighty misty modest mustard mysterious
neon nimble noble notorious olive optimistic orange outstanding passionate patient peaceful perky persistent
piquant placid playful polite powerful precious proud quick quiet quirky radiant rapid rational realistic
resourceful robust rosy ruby rustic sandy sapphire scarlet secret serene shiny silent silky silver sincere sleek
smart smiling snobbish solid sparkling speedy spirited splendid spotted steadfast stellar sticky stoic striped
sturdy sunny super swift tangerine teal tentacled thankful thoughtful tidy tiny tough tranquil tricky true turquoise
unique uplifting valiant vegan velvet vermilion versatile vigilant violet vivacious vivid warm watchful whimsical
whispering wild wise witty wonderful wooden xanthic yellow youthful zealous zippy`.split(/\s+/);

const ANIMALS = `aardvark albatross alligator alpaca anaconda angelfish ant anteater antelope armadillo baboon badger barracuda bat
bear beaver bee beetle bison boa bobcat buffalo bulldog bumblebee butterfly buzzard camel capybara caracal cardinal
caribou cassowary cat caterpillar centipede chameleon cheetah chicken chimpanzee chinchilla chipmunk cobra cockatoo
condor cormorant cougar coyote crab crane cricket crocodile crow cuckoo curlew deer dingo dodo dog dolphin donkey
dormouse dove dragonfly duck eagle earthworm eel egret elephant elk emu falcon ferret finch firefly flamingo fox frog
gazelle gecko gerbil gibbon giraffe gnu goat goldfish goose gopher gorilla grasshopper grouse gull hamster hare hawk
hedgehog heron hippo hornet horse hound hummingbird hyena ibex ibis iguana impala jackal jaguar jellyfish kangaroo
kestrel kingfisher kiwi koala kudu ladybug lemming lemur leopard lion lizard llama lobster locust loon lynx macaw
magpie mammoth manatee mandrill mantis marmot meerkat mink mole mongoose monkey moose mosquito moth mouse mule
narwhal newt nightingale ocelot octopus okapi opossum orca oriole osprey ostrich otter owl ox oyster panda panther
parakeet parrot partridge peacock pelican penguin petrel pheasant pig pigeon piranha platypus polecat poodle
porcupine porpoise puffin puma python quail rabbit raccoon ram rattlesnake raven reindeer rhino robin rooster
salamander salmon sandpiper sardine scorpion seahorse seal shark sheep shrew shrimp skink skunk sloth slug snail
snake sparrow spider squid squirrel starfish stingray stork swan swift tapir tarantula tarsier termite tern tiger
toad tortoise toucan trout tuna turkey turtle viper vole vulture wallaby walrus wasp weasel whale wildcat wolf
wolverine wombat woodpecker worm wren yak zebra`.split(/\s+/);

const pick = (words: string[]) => words[crypto.getRandomValues(new Uint32Array(1))[0] % words.length];

export function generateRunName(): string {
  return `${pick(ADJECTIVES)}-${pick(ANIMALS)}`;
}
