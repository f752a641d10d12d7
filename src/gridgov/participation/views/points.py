"""The pages of the points bank (`/points/`): the banks of the area; a bank's desk (its
figures, household accounts, redemptions to hand over); its keeping (rules, shop, expiry,
fund); a household's account (earn, redeem, the ledger, the monthly statement); and the
village's leaderboard.

Grid workers read the accounts of their cells and record earnings, from the phone; the
bank's keeper does everything else. Every write is a service call (services/), every read a
selector (selectors/points.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gridgov.core.dates import shift_month
from gridgov.core.exceptions import DomainError, NotFound
from gridgov.core.forms import add_domain_error
from gridgov.core.images import check_image, photo_response
from gridgov.core.pagination import PAGE_SIZE, keyset_page
from gridgov.core.pdf import pdf_response
from gridgov.core.permissions import Capability, capability_required, has_capability
from gridgov.core.views import domain_errors_as_http
from gridgov.participation import forms
from gridgov.participation.models import MovementKind, PointsBank, RedemptionStatus
from gridgov.participation.selectors import points as selectors
from gridgov.participation.services import bank as bank_services
from gridgov.participation.services import points as services

POINTS_ROLES = selectors.POINTS_ROLES
LEDGER_PAGE = 30


def _keeper_only(user, bank: PointsBank) -> None:
    if not selectors.keeps_bank(user, bank):
        raise PermissionDenied(_("Only the bank's keeper does this."))


# --- The banks of the area ----------------------------------------------------------------------


@never_cache
@login_required
@require_GET
@capability_required(POINTS_ROLES)
def banks(request):
    """The banks of the user's area, each with its figures; a user with one bank goes to it."""
    banks = list(selectors.banks_for(request.user))
    figures = selectors.bank_figures_of(banks)
    rows = [{"bank": bank, "figures": figures[bank.pk]} for bank in banks]
    if len(rows) == 1 and not request.GET.get("all"):
        return redirect("points-bank", rows[0]["bank"].pk)
    return render(request, "participation/banks.html", {"rows": rows})


# --- A bank's desk ------------------------------------------------------------------------------


def _bank_context(request, bank, *, search=None, open_search=""):
    user = request.user
    search = search or forms.AccountSearchForm(request.GET or None)
    name, after = "", None
    if search.is_valid():
        name, after = search.cleaned_data["q"], search.cleaned_data["after"]
    page = keyset_page(selectors.bank_accounts(user, bank, name=name), after=after, order=("id",), size=PAGE_SIZE)
    labels = selectors.household_labels(user, [a.household for a in page.rows])
    keeps = selectors.keeps_bank(user, bank)
    context = {
        "bank": bank, "keeps": keeps, "search": search, "name": name,
        "accounts": [{"account": a, "label": labels[a.household_id]} for a in page.rows],
        "next_url": page.next_url({"q": name}),
        "sees_names": has_capability(user, Capability.VIEW_PERSON_NAMES),
    }
    if keeps:
        reserved = list(selectors.redemptions_of(bank)[:PAGE_SIZE])
        reserved_labels = selectors.household_labels(user, [r.account.household for r in reserved])
        candidates = list(selectors.households_without_account(user, bank, name=open_search)[:20])
        candidate_labels = selectors.household_labels(user, candidates)
        context.update({
            "figures": selectors.bank_figures(bank),
            "reserved": [{"redemption": r, "label": reserved_labels[r.account.household_id]} for r in reserved],
            "open_search": open_search,
            "candidates": [{"household": h, "label": candidate_labels[h.pk]} for h in candidates],
        })
    return context


@never_cache
@login_required
@require_GET
@capability_required(POINTS_ROLES)
@domain_errors_as_http
def bank(request, pk: int):
    bank = selectors.access_bank(request.user, pk)
    open_search = (request.GET.get("household") or "").strip()[:30]
    return render(request, "participation/bank.html", _bank_context(request, bank, open_search=open_search))


@login_required
@require_POST
@capability_required(Capability.KEEP_POINTS_BANK)
@domain_errors_as_http
def account_open(request, pk: int):
    """Open a household's account (found by a member's name on the desk)."""
    bank = selectors.access_bank(request.user, pk)
    _keeper_only(request.user, bank)
    form = forms.OpenAccountForm(request.POST)
    household = selectors.village_household(request.user, bank, form.cleaned_data["household"]) \
        if form.is_valid() else None
    if household is None:
        messages.error(request, _("No such household in your area."))
        return redirect("points-bank", bank.pk)
    account = services.account_for(actor=request.user, bank=bank, household=household)
    messages.success(request, _("The household's account is open."))
    return redirect("points-account", account.pk)


def _redemption(request, pk: int):
    redemption = selectors.access_redemption(request.user, pk)
    _keeper_only(request.user, redemption.bank)
    return redemption


@login_required
@require_POST
@capability_required(Capability.KEEP_POINTS_BANK)
@domain_errors_as_http
def redemption_hand_over(request, pk: int):
    redemption = _redemption(request, pk)
    try:
        services.hand_over(actor=request.user, redemption=redemption)
        messages.success(request, _("Handed over: the points are posted to the shop."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(request.POST.get("next") == "account" and reverse("points-account", args=[redemption.account_id])
                    or reverse("points-bank", args=[redemption.bank_id]))


@login_required
@require_POST
@capability_required(Capability.KEEP_POINTS_BANK)
@domain_errors_as_http
def redemption_void(request, pk: int):
    redemption = _redemption(request, pk)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the redemption is voided."))
    else:
        try:
            services.void(actor=request.user, redemption=redemption, reason=form.cleaned_data["reason"])
            messages.success(request, _("Voided: the points are back in the household's account and the item in "
                                        "stock."))
        except DomainError as error:
            messages.error(request, error.message)
    return redirect(request.POST.get("next") == "account" and reverse("points-account", args=[redemption.account_id])
                    or reverse("points-bank", args=[redemption.bank_id]))


# --- Keeping the bank: rules, shop, expiry, fund ------------------------------------------------


def _setup_render(request, bank, *, status=200, **bound):
    rules = list(bank.rules.order_by("-is_active", "name", "id"))
    items = list(bank.items.order_by("-is_active", "name", "id"))
    return render(request, "participation/bank_setup.html", {
        "bank": bank, "rules": rules, "items": items,
        "contributions": list(selectors.contributions_of(bank)[:PAGE_SIZE]),
        "figures": selectors.bank_figures(bank),
        "rule_form": bound.get("rule_form") or forms.RuleForm(),
        "item_form": bound.get("item_form") or forms.ItemForm(),
        "settings_form": bound.get("settings_form") or forms.SettingsForm(initial={"expiry_months": bank.expiry_months}),
        "fund_form": bound.get("fund_form") or forms.FundForm(initial={"received_on": timezone.localdate()}),
    }, status=status)


def _kept_bank(request, pk: int) -> PointsBank:
    bank = selectors.access_bank(request.user, pk)
    _keeper_only(request.user, bank)
    return bank


@never_cache
@login_required
@require_GET
@capability_required(Capability.KEEP_POINTS_BANK)
@domain_errors_as_http
def bank_setup(request, pk: int):
    return _setup_render(request, _kept_bank(request, pk))


def _setup_post(form_name: str, form_class, save, done):
    @login_required
    @require_POST
    @capability_required(Capability.KEEP_POINTS_BANK)
    @domain_errors_as_http
    def view(request, pk: int):
        bank = _kept_bank(request, pk)
        form = form_class(request.POST)
        if not form.is_valid():
            return _setup_render(request, bank, status=400, **{form_name: form})
        try:
            result = save(request.user, bank, form.cleaned_data)
        except DomainError as error:
            return _setup_render(request, bank, status=add_domain_error(form, error), **{form_name: form})
        messages.success(request, done(result))
        return redirect("points-bank-setup", bank.pk)

    return view


def _save_rule(actor, bank, data):
    rule = bank.rules.filter(pk=data["rule"]).first() if data["rule"] else None
    if data["rule"] and rule is None:
        raise NotFound(_("No such rule of this bank."))
    return bank_services.rule_save(actor=actor, bank=bank, name=data["name"], points=data["points"], rule=rule,
                                   is_active=data["is_active"])


def _save_item(actor, bank, data):
    item = bank.items.filter(pk=data["item"]).first() if data["item"] else None
    if data["item"] and item is None:
        raise NotFound(_("No such item of this shop."))
    return bank_services.item_save(actor=actor, bank=bank, name=data["name"], price=data["price"],
                                   add_stock=data["add_stock"], item=item, is_active=data["is_active"])


rule_save = _setup_post("rule_form", forms.RuleForm, _save_rule,
                        lambda rule: _("Saved: %(act)s, %(n)d points.") % {"act": rule.name, "n": rule.points})
item_save = _setup_post("item_form", forms.ItemForm, _save_item,
                        lambda item: _("Saved: %(item)s, %(stock)d in stock.") % {"item": item.name, "stock": item.stock})
settings_save = _setup_post(
    "settings_form", forms.SettingsForm,
    lambda actor, bank, data: bank_services.bank_settings(actor=actor, bank=bank,
                                                          expiry_months=data["expiry_months"]),
    lambda bank: _("Saved: points earned from now on expire after %(n)d months.") % {"n": bank.expiry_months}
    if bank.expiry_months else _("Saved: points never expire."))
fund_add = _setup_post(
    "fund_form", forms.FundForm,
    lambda actor, bank, data: bank_services.fund_add(actor=actor, bank=bank, **data),
    lambda contribution: _("Recorded: %(amount)s yuan from %(who)s.") % {"amount": contribution.amount,
                                                                          "who": contribution.contributor})


# --- A household's account ----------------------------------------------------------------------


def _account_render(request, account, *, status=200, earn_form=None, redeem_form=None):
    user = request.user
    bank = account.bank
    keeps = selectors.keeps_bank(user, bank)
    label = selectors.household_labels(user, [account.household])[account.household_id]
    after = request.GET.get("after")
    page = keyset_page(selectors.ledger(account), after=int(after) if str(after).isdigit() else None,
                       order=("-id",), size=LEDGER_PAGE)
    rules = list(selectors.rules_in_use(bank))
    items = list(selectors.items_on_offer(bank, in_stock=True))
    rows = [{"movement": m, "points": m.amount if m.credit_id == account.pk else -m.amount,
             "reversible": keeps and m.kind == MovementKind.EARN and not m.was_reversed} for m in page.rows]
    today = timezone.localdate()
    months = [shift_month(today.replace(day=1), -n) for n in range(0, 6)]
    reserved = list(account.redemptions.filter(status=RedemptionStatus.RESERVED).select_related("item"))
    linked, linkable = selectors.volunteers_of_account(account, keeps=keeps)
    return render(request, "participation/account.html", {
        "volunteers": linked, "linkable": linkable,
        "account": account, "bank": bank, "label": label, "keeps": keeps,
        "held": sum(r.amount for r in reserved), "reserved": reserved,
        "expiries": selectors.upcoming_expiries(account),
        "rows": rows, "next_url": page.next_url(),
        "earn_form": earn_form or (forms.EarnForm(rules=rules)),
        "redeem_form": redeem_form or (forms.RedeemForm(items=items) if keeps and items else None),
        "may_earn": has_capability(user, Capability.EARN_POINTS) or keeps,
        "months": months,
    }, status=status)


@never_cache
@login_required
@require_GET
@capability_required(POINTS_ROLES)
@domain_errors_as_http
def account(request, pk: int):
    return _account_render(request, selectors.access_account(request.user, pk))


@login_required
@require_POST
@capability_required(POINTS_ROLES)
@domain_errors_as_http
def account_earn(request, pk: int):
    """Points earned, by a rule or with the reason, with a photo of the act if there is one."""
    account = selectors.access_account(request.user, pk)
    rules = list(selectors.rules_in_use(account.bank))
    form = forms.EarnForm(request.POST, request.FILES, rules=rules)
    if not form.is_valid():
        return _account_render(request, account, status=400, earn_form=form)
    data = form.cleaned_data
    try:
        photo = check_image(data["photo"], field="photo") if data["photo"] else None
        movement = services.earn(actor=request.user, account=account, rule=data["rule"], amount=data["amount"],
                                 reason=data["reason"], idempotency_key=data["key"], evidence=photo)
    except DomainError as error:
        return _account_render(request, account, status=add_domain_error(form, error), earn_form=form)
    messages.success(request, _("%(n)d points earned: %(reason)s.") % {"n": movement.amount, "reason": movement.reason})
    return redirect("points-account", account.pk)


@login_required
@require_POST
@capability_required(Capability.KEEP_POINTS_BANK)
@domain_errors_as_http
def account_redeem(request, pk: int):
    """An item of the shop reserved for the household: its points held until handed over."""
    account = selectors.access_account(request.user, pk)
    _keeper_only(request.user, account.bank)
    items = list(selectors.items_on_offer(account.bank))
    form = forms.RedeemForm(request.POST, items=items)
    if not form.is_valid():
        return _account_render(request, account, status=400, redeem_form=form)
    data = form.cleaned_data
    try:
        redemption = services.redeem(actor=request.user, account=account, item=data["item"],
                                     quantity=data["quantity"], idempotency_key=data["key"])
    except DomainError as error:
        return _account_render(request, account, status=add_domain_error(form, error), redeem_form=form)
    messages.success(request, _("Reserved: %(n)d × %(item)s for %(points)d points. Hand it over to post them.")
                     % {"n": redemption.quantity, "item": redemption.item.name, "points": redemption.amount})
    return redirect("points-account", account.pk)


@login_required
@require_POST
@capability_required(Capability.KEEP_POINTS_BANK)
@domain_errors_as_http
def movement_reverse(request, pk: int):
    """An earning recorded by mistake, put right by the opposite movement."""
    movement = selectors.access_movement(request.user, pk)
    _keeper_only(request.user, movement.bank)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the earning is reversed."))
    else:
        try:
            services.reverse(actor=request.user, movement=movement, reason=form.cleaned_data["reason"])
            messages.success(request, _("Reversed: %(n)d points taken back.") % {"n": movement.amount})
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("points-account", movement.credit_id)


@login_required
@require_POST
@capability_required(Capability.KEEP_POINTS_BANK)
@domain_errors_as_http
def account_consent(request, pk: int):
    account = selectors.access_account(request.user, pk)
    form = forms.ConsentForm(request.POST)
    agreed = form.is_valid() and form.cleaned_data["agreed"]
    bank_services.leaderboard_consent(actor=request.user, account=account, agreed=agreed)
    messages.success(request, _("Recorded: the household is named on the leaderboard.") if agreed
                     else _("Recorded: the household is not named on the leaderboard."))
    return redirect("points-account", account.pk)


@login_required
@require_POST
@capability_required(Capability.KEEP_POINTS_BANK)
@domain_errors_as_http
def account_volunteer(request, pk: int):
    """The keeper names the volunteer whose approved hours credit this household (or no longer)."""
    from gridgov.participation.services.volunteers import link_points

    account = selectors.access_account(request.user, pk)
    _keeper_only(request.user, account.bank)
    if not request.POST.get("volunteer"):
        messages.error(request, _("Choose the volunteer."))
        return redirect("points-account", account.pk)
    volunteer = selectors.village_volunteer(account, request.POST.get("volunteer"))
    unlink = request.POST.get("unlink") == "1"
    link_points(actor=request.user, volunteer=volunteer, account=None if unlink else account)
    messages.success(request, (_("%(name)s's hours no longer credit this household.") if unlink
                               else _("%(name)s's approved hours now credit this household.")) % {"name": volunteer.name})
    return redirect("points-account", account.pk)


@never_cache
@login_required
@require_GET
@capability_required(POINTS_ROLES)
@domain_errors_as_http
def movement_photo(request, pk: int):
    return photo_response(selectors.access_movement(request.user, pk).evidence)


@login_required
@require_GET
@capability_required(POINTS_ROLES)
@domain_errors_as_http
def account_statement(request, pk: int, month: str):
    """The household's monthly statement, in Chinese: it goes to the household."""
    account = selectors.access_account(request.user, pk)
    form = forms.MonthForm({"month": month})
    if not form.is_valid() or form.cleaned_data["month"] > timezone.localdate() \
            or form.cleaned_data["month"].year < 2000:
        messages.error(request, _("No statement for that month."))
        return redirect("points-account", account.pk)
    first = form.cleaned_data["month"]
    content = services.statement_pdf(actor=request.user, account=account, month=first)
    return pdf_response(content, f"points-{account.pk}-{first:%Y-%m}.pdf")


# --- The leaderboard ----------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
@capability_required(POINTS_ROLES)
@domain_errors_as_http
def leaderboard(request, pk: int):
    bank = selectors.access_bank(request.user, pk)
    this_year = timezone.localdate().year
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= this_year else this_year
    rows = selectors.leaderboard(bank, year)
    labels = selectors.household_labels(request.user, [r.account.household for r in rows if r.named])
    return render(request, "participation/leaderboard.html", {
        "bank": bank, "year": year, "years": list(range(this_year, max(this_year - 5, 1999), -1)),
        "rows": [{"row": r, "label": labels.get(r.account.household_id)} for r in rows],
    })


urlpatterns = [
    path("", banks, name="points-banks"),
    path("banks/<int:pk>/", bank, name="points-bank"),
    path("banks/<int:pk>/open/", account_open, name="points-account-open"),
    path("banks/<int:pk>/setup/", bank_setup, name="points-bank-setup"),
    path("banks/<int:pk>/setup/rule/", rule_save, name="points-rule-save"),
    path("banks/<int:pk>/setup/item/", item_save, name="points-item-save"),
    path("banks/<int:pk>/setup/settings/", settings_save, name="points-settings-save"),
    path("banks/<int:pk>/setup/fund/", fund_add, name="points-fund-add"),
    path("banks/<int:pk>/leaderboard/", leaderboard, name="points-leaderboard"),
    path("accounts/<int:pk>/", account, name="points-account"),
    path("accounts/<int:pk>/earn/", account_earn, name="points-account-earn"),
    path("accounts/<int:pk>/redeem/", account_redeem, name="points-account-redeem"),
    path("accounts/<int:pk>/consent/", account_consent, name="points-account-consent"),
    path("accounts/<int:pk>/volunteer/", account_volunteer, name="points-account-volunteer"),
    path("accounts/<int:pk>/statement/<str:month>.pdf", account_statement, name="points-account-statement"),
    path("redemptions/<int:pk>/hand-over/", redemption_hand_over, name="points-redemption-hand-over"),
    path("redemptions/<int:pk>/void/", redemption_void, name="points-redemption-void"),
    path("movements/<int:pk>/reverse/", movement_reverse, name="points-movement-reverse"),
    path("movements/<int:pk>/photo/", movement_photo, name="points-movement-photo"),
]
