# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import base64
from html import escape

import trytond.config as config
from trytond.i18n import gettext
from trytond.protocols.wrappers import (
    HTTPStatus, Response, allow_null_origin, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from .exceptions import RevisionError
from .photo import THUMBNAIL_SIZE
from .revision import token_digest

HEADERS = {
    # The token in the address must not leave with the photos or links
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Robots-Tag': 'noindex, nofollow',
    'Content-Security-Policy': (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    }

STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:#1d2733;background:#f3f5f7;line-height:1.45}
main{max-width:40rem;margin:0 auto;padding:1rem}
header{font-weight:600;color:#52606d;margin-bottom:.5rem}
h1{font-size:1.4rem;margin:.2rem 0 .8rem}
h2{font-size:1.1rem;margin:0 0 .6rem}
section,form{background:#fff;border-radius:.6rem;padding:1rem;
margin:0 0 1rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem;margin:0}
dt{color:#52606d}dd{margin:0}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.4rem .2rem;border-bottom:1px solid #e4e7eb;
vertical-align:top}
.num{text-align:right;white-space:nowrap}
tfoot td{font-weight:700;border-bottom:none}
.payer{display:block;color:#52606d;font-size:.85rem}
.photos{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));
gap:.6rem}
figure{margin:0}
figure img{width:100%;height:auto;max-height:240px;object-fit:cover;
border-radius:.4rem}
figcaption{font-size:.85rem;color:#52606d}
label{display:block;font-weight:600;margin-bottom:.3rem}
input[type=text]{box-sizing:border-box;width:100%;font-size:1rem;
padding:.6rem;border:1px solid #9aa5b1;border-radius:.4rem}
.buttons{display:flex;gap:.6rem;margin-top:.8rem;flex-wrap:wrap}
button{flex:1;font-size:1rem;padding:.8rem;border:0;border-radius:.4rem;
cursor:pointer;color:#fff}
button[value=approve]{background:#2f855a}
button[value=reject]{background:#9b2c2c}
.error{color:#9b2c2c;font-weight:600}
"""


@app.route(
    '/<database_name>/dms_workshop/estimate/<token>',
    methods={'GET', 'POST'})
@allow_null_origin
@with_pool
@with_transaction(user=0)
def estimate(request, pool, token):
    """The page where the customer sees the estimate sent and approves or
    rejects it, with no login: the token of the link is the key"""
    Revision = pool.get('dms.workshop.order.revision')
    known = Revision.search([
            ('token_digest', '=', token_digest(token)),
            ], limit=1)
    language = _language(request, pool, known[0] if known else None)
    with Transaction().set_context(language=language):
        try:
            revision = Revision.from_token(token)
        except RevisionError as error:
            status = HTTPStatus.GONE if known else HTTPStatus.NOT_FOUND
            return _page(language, gettext(
                    'dms_workshop.msg_estimate_page_unusable'),
                f'<section><p>{escape(error.message)}</p></section>',
                status=status)
        with Transaction().set_context(company=revision.order.company.id):
            revision = Revision(revision.id)
            if request.method == 'POST':
                return _decide(request, pool, revision, language)
            return _estimate_page(pool, revision, language)


def _language(request, pool, revision):
    "Return the code of the language to answer in"
    Lang = pool.get('ir.lang')
    if revision and revision.order.customer.lang:
        return revision.order.customer.lang.code
    codes = [l.code for l in Lang.search([('translatable', '=', True)])]
    return (request.accept_languages.best_match(codes)
        or config.get('database', 'language'))


def _decide(request, pool, revision, language):
    Revision = pool.get('dms.workshop.order.revision')
    # Two clicks at once: the second waits and finds the revision decided
    Revision.lock([revision])
    name = ' '.join(request.form.get('name', '').split())
    decision = request.form.get('decision')
    size = Revision.decided_by.size
    if not name or decision not in {'approve', 'reject'}:
        return _estimate_page(
            pool, revision, language,
            error=gettext('dms_workshop.msg_estimate_page_name_required'),
            status=HTTPStatus.BAD_REQUEST)
    getattr(Revision, decision)([revision], by=name[:size], channel='link')
    revision = Revision(revision.id)
    message = gettext(
        f'dms_workshop.msg_estimate_page_{revision.state}',
        name=name, revision=revision.rec_name)
    return _page(language, revision.order.company.rec_name,
        f'<section><p>{escape(message)}</p></section>')


def _estimate_page(pool, revision, language, error=None, status=None):
    Booking = pool.get('dms.vehicle.booking')
    Lang = pool.get('ir.lang')
    Photo = pool.get('dms.workshop.order.photo')
    Revision = pool.get('dms.workshop.order.revision')
    lang = Lang.get()
    order = revision.order
    currency = order.company.currency
    tzinfo = Booking.company_tzinfo(order.company)

    def text(name, **variables):
        return escape(gettext(
                f'dms_workshop.msg_estimate_page_{name}', **variables))

    def when(value):
        if not value:
            return text('not_yet')
        return escape(Booking.format_time(value, tzinfo))

    def amount(value):
        return escape(lang.currency(value, currency))

    def rows(lines):
        result = []
        for line in lines:
            description = (line.description or (
                    line.product.rec_name if line.product else None)
                or line.type_string)
            digits = line.unit.digits if line.unit else 2
            quantity = lang.format_number(line.quantity, digits)
            if line.unit:
                quantity += f' {line.unit.symbol}'
            payer = ''
            if line.payer != 'customer':
                payer = '<span class="payer">%s</span>' % text(
                    'paid_by', payer=line.payer_string)
            result.append(
                f'<tr><td>{escape(description)}{payer}</td>'
                f'<td class="num">{escape(quantity)}</td>'
                f'<td class="num">{amount(line.amount)}</td></tr>')
        return '\n'.join(result)

    head = (f'<tr><th>{text("description")}</th>'
        f'<th class="num">{text("quantity")}</th>'
        f'<th class="num">{text("amount")}</th></tr>')
    revision_lines = sorted(revision.lines,
        key=lambda l: (l.sequence is None, l.sequence or 0, l.id))
    approved = [l for l in order.lines
        if l.approval == 'approved' and l not in revision_lines]

    parts = [
        f'<h1>{text("title", vehicle=order.vehicle.rec_name)}</h1>',
        '<p>%s</p>' % text('intro', customer=order.customer.rec_name,
            expires=lang.strftime(revision.expires.date())),
        '<section><dl>',
        f'<dt>{text("vehicle")}</dt>'
        f'<dd>{escape(order.vehicle.rec_name)}</dd>',
        f'<dt>{text("order")}</dt><dd>{escape(order.number or "")}</dd>',
        f'<dt>{text("state")}</dt><dd>{escape(order.state_string)}</dd>',
        f'<dt>{text("received")}</dt><dd>{when(order.received)}</dd>',
        f'<dt>{text("promised")}</dt><dd>{when(order.promised)}</dd>',
        f'<dt>{text("ready")}</dt><dd>{when(order.ready_date)}</dd>',
        '</dl></section>',
        '<section class="revision">',
        f'<h2>{text("revision", number=revision.number)}</h2>',
        f'<table><thead>{head}</thead><tbody>',
        rows(revision_lines),
        '</tbody><tfoot><tr>',
        f'<td colspan="2">{text("total")}</td>',
        f'<td class="num total">{amount(revision.customer_amount)}</td>',
        '</tr></tfoot></table></section>',
        ]
    if approved:
        parts += [
            '<section class="approved">',
            f'<h2>{text("approved_work")}</h2>',
            f'<table><thead>{head}</thead><tbody>',
            rows(approved),
            '</tbody></table></section>',
            ]
    photos = Photo.search([
            ('order', '=', order.id),
            ('shared', '=', True),
            ])
    if photos:
        parts += [
            '<section>',
            f'<h2>{text("photos")}</h2>',
            '<div class="photos">',
            ]
        for photo in photos:
            data = base64.b64encode(photo.get(THUMBNAIL_SIZE)).decode()
            caption = escape(photo.caption or photo.stage_string)
            parts.append(
                f'<figure><img src="data:image/jpeg;base64,{data}" '
                f'alt="{caption}"><figcaption>{caption}</figcaption>'
                '</figure>')
        parts.append('</div></section>')
    parts += [
        '<form method="post">',
        f'<p class="error">{escape(error)}</p>' if error else '',
        f'<label for="name">{text("name")}</label>',
        '<input type="text" id="name" name="name" required '
        f'maxlength="{Revision.decided_by.size}" '
        'autocomplete="name">',
        '<div class="buttons">',
        f'<button type="submit" name="decision" value="approve">'
        f'{text("approve")}</button>',
        f'<button type="submit" name="decision" value="reject">'
        f'{text("reject")}</button>',
        '</div></form>',
        ]
    return _page(language, order.company.rec_name, '\n'.join(parts),
        status=status)


def _page(language, header, content, status=None):
    html_lang = escape((language or 'en').replace('_', '-'))
    title = escape(header)
    page = f"""<!DOCTYPE html>
<html lang="{html_lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{title}</title>
<style>{STYLE}</style>
</head>
<body><main>
<header>{title}</header>
{content}
</main></body>
</html>
"""
    return Response(page, status=status or HTTPStatus.OK,
        content_type='text/html; charset=utf-8', headers=HEADERS)
