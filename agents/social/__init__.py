"""The social domain (Mastodon and Bluesky): ``models`` (posts, notices, drafts, what publishing did),
``text`` (graphemes, numbered threads at sentence boundaries, speakable posts), ``mastodon_client``
(Mastodon.py, Idempotency-Key, Retry-After) and ``bluesky_client`` (atproto: session kept outside,
facets, record keys fixed per draft), ``hub`` (the networks as one service, the offline digest),
``intents`` (EN+DE: mentions, digest, post / reply / delete drafts) and ``actions`` (what runs after
the yes), ``scheduled`` + ``db`` (posts that wait in the database for their time and go out once),
``react_intents`` (boost / like a post after a yes), ``meeting_post`` (a meeting's summary as a post).
Other people's posts are read out, never obeyed."""

from pathlib import Path

from agents.domains import Domain
from agents.social.actions import ACTIONS
from agents.social.intents import HANDLERS, INTENTS, SAY_BACK
from agents.social.meeting_post import MEETING_HANDLERS, MEETING_INTENTS
from agents.social.react_intents import REACT_ACTIONS, REACT_HANDLERS, REACT_INTENTS
from agents.social.schedule_actions import SCHEDULE_ACTIONS
from agents.social.schedule_intents import SCHEDULE_HANDLERS, SCHEDULE_INTENTS
from agents.social.settings import SocialSettings

DOMAIN = Domain(
    name="social",
    description="Social media (Mastodon, Bluesky): mentions, a timeline digest, posting, replying, deleting, boosting, liking, scheduled posts.",
    intents={**INTENTS, **SCHEDULE_INTENTS, **REACT_INTENTS, **MEETING_INTENTS},
    handlers={**HANDLERS, **SCHEDULE_HANDLERS, **REACT_HANDLERS, **MEETING_HANDLERS},
    say_back=SAY_BACK,
    delegate="agents.social.agent:social_agent",
    actions={**ACTIONS, **SCHEDULE_ACTIONS, **REACT_ACTIONS},
    settings=SocialSettings,
    migrations=Path(__file__).parent / "migrations",  # its table: db.py (scheduled posts)
    account_kinds=("mastodon", "bluesky"),
    cues=(r"mastodon", r"bluesky", r"toot", r"skeet", r"mentions", r"erwähnung", r"timeline", r"zeitleiste",
          r"scheduled posts?", r"geplanten? beitr", r"\bboost", r"repost"),
    fuzzy_needs_cue=True,
    warm_requests=("Post this on Mastodon", "Delete my last post"),
)
