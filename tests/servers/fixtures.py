"""Session fixtures that start real servers on free loopback ports. One module per server;
add one import line per fixture (tests/conftest.py star-imports this module)."""

from tests.servers.postgres import postgres_server
from tests.servers.dovecot import dovecot_server
from tests.servers.radicale import radicale_server
from tests.servers.smtp import smtp_server
from tests.servers.samba import samba_server
from tests.servers.s3 import s3_server
from tests.servers.whatsapp import whatsapp_server
from tests.servers.fints_bank import fints_bank, fints_bank_server
from tests.servers.mastodon import mastodon_server
from tests.servers.bluesky import bluesky_server
from tests.servers.prometheus import prometheus_factory
from tests.servers.oauth import oauth_server
from tests.servers.bearer_proxy import bearer_caldav
from tests.servers.graph_calendar import graph_calendar
