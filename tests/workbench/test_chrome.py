"""The layout's menu and tab bar, worked out once a request in Python (core.chrome): each
role's entries with their addresses, the current page marked in both, the unread badge on
the notifications entry, and the addresses under a URL prefix."""

import pytest
from django.urls import reverse, set_script_prefix

from gridgov.core.chrome import plain_url
from gridgov.core.navigation import nav_items_for, tab_items
from gridgov.core.notifications.services import notify
from gridgov.core.permissions import capabilities_of


def menu_of(content: str) -> str:
    menu = content[content.index('class="site-nav"'):]
    return menu[:menu.index("</nav>")]


def bar_of(content: str) -> str:
    bar = content[content.index('class="tab-bar"'):]
    return bar[:bar.index("</nav>")]


@pytest.mark.parametrize("role", ["dispatcher", "gw", "station", "doctor", "officer", "auditor", "admin"])
def test_each_role_sees_its_entries_in_order_with_tab_places(login, roles, role):
    user = roles[role]
    items = nav_items_for(user, {str(c) for c in capabilities_of(user)})
    tabs = {i.url_name for i in tab_items(items)}

    menu = menu_of(login(user).get(reverse("home")).content.decode())

    positions = [menu.index(f'href="{reverse(item.url_name)}"') for item in items]
    assert positions == sorted(positions)  # in the menu's order
    for item in items:
        start = menu.rindex("<li", 0, menu.index(f'href="{reverse(item.url_name)}"'))
        assert ('class="in-tab-bar"' in menu[start:start + 30]) == (item.url_name in tabs)


def test_the_current_page_is_marked_in_the_menu_and_the_tab_bar(login, roles):
    content = login(roles["dispatcher"]).get(reverse("events-queue")).content.decode()

    current = f'href="{reverse("events-queue")}" aria-current="page"'
    assert current in menu_of(content) and current in bar_of(content)
    assert f'href="{reverse("home")}" aria-current="page"' not in content
    assert menu_of(content).count('aria-current="page"') == 1 and bar_of(content).count('aria-current="page"') == 1


def test_the_notifications_entry_carries_the_unread_count(login, roles):
    user = roles["doctor"]
    for i in range(3):
        notify(recipients=[user], kind="test", text=f"通知 {i}")

    content = login(user).get(reverse("home")).content.decode()

    for part in (menu_of(content), bar_of(content)):
        entry = part[part.index(f'href="{reverse("notifications")}"'):]
        assert '<span class="badge nav-badge" title="unread">3</span>' in entry[:entry.index("</a>")]


def test_menu_addresses_follow_the_url_prefix():
    try:
        set_script_prefix("/gov/")
        assert plain_url("home") == reverse("home") and plain_url("home").startswith("/gov/")
    finally:
        set_script_prefix("/")
    assert plain_url("home") == reverse("home") == "/"
    assert plain_url("no-such-page") == ""
