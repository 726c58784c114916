"""The social domain (Mastodon and Bluesky): ``models`` (posts, notices, drafts, what publishing did),
``text`` (graphemes, numbered threads at sentence boundaries, speakable posts), ``mastodon_client``
(Mastodon.py, Idempotency-Key, Retry-After) and ``bluesky_client`` (atproto: session kept outside,
facets, record keys fixed per draft), ``hub`` (the networks as one service, the offline digest),
``intents`` (EN+DE: mentions, digest, post / reply / delete drafts) and ``actions`` (what runs after
the yes). Other people's posts are read out, never obeyed."""


from agents.domains import Domain
from agents.social.actions import ACTIONS
from agents.social.intents import HANDLERS, INTENTS, SAY_BACK
from agents.social.settings import SocialSettings

DOMAIN = Domain(
    name="social",
    description="Social media (Mastodon, Bluesky): mentions, a timeline digest, posting, replying, deleting.",
    intents=INTENTS,
    handlers=HANDLERS,
    say_back=SAY_BACK,
    delegate="agents.social.agent:social_agent",
    actions=ACTIONS,
    settings=SocialSettings,
    migrations=None,
    account_kinds=("mastodon", "bluesky"),
    cues=(r"mastodon", r"bluesky", r"toot", r"skeet", r"mentions", r"erwähnung", r"timeline", r"zeitleiste"),
    fuzzy_needs_cue=True,
)
