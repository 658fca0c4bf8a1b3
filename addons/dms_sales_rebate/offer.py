# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import io
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    BaseDocTemplate, Flowable, Frame, Image, KeepTogether, PageBreak,
    PageTemplate, Paragraph, Spacer, Table, TableStyle)

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

# The groups of the offer's lines, in their order, by the lines' deal kind
LINE_GROUPS = [
    ('vehicle', {'vehicle'}),
    ('options', {'option', 'accessory'}),
    ('fees', {'fee'}),
    ('fi', {'fi'}),
    ('other', None),
    ]
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
PHOTO_WIDTH = 60 * mm
GREY = colors.HexColor('#555555')
LIGHT = colors.HexColor('#eeeeee')


def _(name, **variables):
    return gettext('dms_sales_rebate.msg_offer_' + name, **variables)


def _text(value):
    "Escape value for a Paragraph, keeping its line breaks"
    return escape(str(value or '')).replace('\n', '<br/>')


def _name(value):
    if value is None:
        return ''
    if isinstance(value, str):
        return value
    return getattr(value, 'name', None) or value.rec_name


class _OfferStart(Flowable):
    "Marks where an offer starts, for the footer of its pages"

    def __init__(self, footer):
        super().__init__()
        self.footer = footer
        self.width = self.height = 0

    def draw(self):
        canvas = self.canv
        canvas._offer_footer = self.footer
        canvas._offer_first_page = canvas.getPageNumber()


def _draw_footer(canvas, doc):
    footer = getattr(canvas, '_offer_footer', None)
    if not footer:
        return
    page = canvas.getPageNumber() - canvas._offer_first_page + 1
    canvas.saveState()
    canvas.setFont('Helvetica', 8)
    canvas.setFillColor(GREY)
    canvas.drawCentredString(
        PAGE_WIDTH / 2, MARGIN / 2, footer.replace('\x00', str(page)))
    canvas.restoreState()


class Offer(Report):
    "Offer of a vehicle deal to the customer, in the customer's language"
    __name__ = 'sale.sale.dms_offer'

    @classmethod
    def render(cls, action, report_context):
        pool = Pool()
        Sale = pool.get('sale.sale')
        ids = [int(r) for r in report_context['records']]
        data = io.BytesIO()
        doc = BaseDocTemplate(
            data, pagesize=A4,
            leftMargin=MARGIN, rightMargin=MARGIN,
            topMargin=MARGIN, bottomMargin=MARGIN,
            title=action.name, creator='Tryton')
        frame = Frame(
            MARGIN, MARGIN, WIDTH, PAGE_HEIGHT - 2 * MARGIN, id='body',
            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        doc.addPageTemplates([
                PageTemplate(
                    id='offer', frames=[frame], onPageEnd=_draw_footer)])
        story = []
        for sale in Sale.browse(ids):
            with Transaction().set_context(language=cls.language(sale)):
                # Read again to get the fields in the customer's language
                sale = Sale(sale.id)
                if story:
                    story.append(PageBreak())
                story.extend(cls.get_story(sale))
        doc.build(story)
        return data.getvalue()

    @classmethod
    def convert(cls, action, data, **kwargs):
        return 'pdf', data

    @classmethod
    def language(cls, sale):
        pool = Pool()
        Config = pool.get('ir.configuration')
        if sale.party and sale.party.lang:
            return sale.party.lang.code
        if sale.company.party.lang:
            return sale.company.party.lang.code
        return Config.get_language()

    @classmethod
    def styles(cls):
        sheet = getSampleStyleSheet()
        normal = ParagraphStyle(
            'OfferNormal', parent=sheet['Normal'],
            fontName='Helvetica', fontSize=9, leading=11.5)
        return {
            'normal': normal,
            'small': ParagraphStyle(
                'OfferSmall', parent=normal, fontSize=8, leading=10,
                textColor=GREY),
            'right': ParagraphStyle(
                'OfferRight', parent=normal, alignment=TA_RIGHT),
            'bold': ParagraphStyle(
                'OfferBold', parent=normal, fontName='Helvetica-Bold'),
            'bold_right': ParagraphStyle(
                'OfferBoldRight', parent=normal, fontName='Helvetica-Bold',
                alignment=TA_RIGHT),
            'title': ParagraphStyle(
                'OfferTitle', parent=normal, fontName='Helvetica-Bold',
                fontSize=18, leading=22),
            'heading': ParagraphStyle(
                'OfferHeading', parent=normal, fontName='Helvetica-Bold',
                fontSize=11, leading=14, spaceBefore=8, spaceAfter=4),
            }

    @classmethod
    def get_story(cls, sale):
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        styles = cls.styles()
        number = sale.number or _('draft')
        footer = ' \u00b7 '.join(filter(None, [
                    sale.company.rec_name,
                    _('title') + ' ' + number,
                    _('page', page='\x00')]))
        story = [_OfferStart(footer)]
        story.extend(cls.header(sale, lang, styles))
        vehicle_lines = [l for l in sale.lines if l.vehicle]
        for line in vehicle_lines:
            story.extend(cls.vehicle(line.vehicle, lang, styles))
        story.extend(cls.lines(sale, lang, styles))
        story.extend(cls.trade_ins(sale, lang, styles))
        # The salesperson's contact beside the price breakdown
        closing = Table([[
                    cls.salesperson(sale, lang, styles),
                    cls.breakdown(sale, lang, styles),
                    ]], colWidths=[WIDTH - 95 * mm, 95 * mm])
        closing.setStyle(TableStyle([
                    ('VALIGN', (0, 0), (-1, -1), 'TOP'),
                    ('LEFTPADDING', (0, 0), (-1, -1), 0),
                    ('RIGHTPADDING', (0, 0), (-1, -1), 0),
                    ]))
        story.extend([Spacer(0, 2 * mm), closing])
        return story

    @classmethod
    def header(cls, sale, lang, styles):
        pool = Pool()
        Date = pool.get('ir.date')
        company = sale.company.party
        address = company.address_get()
        company_text = '<b>%s</b>' % _text(company.rec_name)
        if address:
            company_text += '<br/>' + _text(address.full_address)
        customer = sale.party
        customer_address = (
            sale.invoice_address or customer.address_get(type='invoice'))
        customer_text = '<b>%s</b>' % _text(customer.full_name)
        if customer_address:
            customer_text += '<br/>' + _text(customer_address.full_address)

        date = sale.quotation_date or sale.sale_date
        if not date:
            with Transaction().set_context(company=sale.company.id):
                date = Date.today()
        info = [
            (_('number'), sale.number or _('draft')),
            (_('date'), lang.strftime(date)),
            ]
        if sale.quotation_expire:
            info.append(
                (_('valid_until'), lang.strftime(sale.quotation_expire)))
        if sale.reference:
            info.append((_('reference'), sale.reference))
        info_table = Table([
                [Paragraph(_text(k), styles['small']),
                    Paragraph(_text(v), styles['bold_right'])]
                for k, v in info],
            colWidths=[30 * mm, 40 * mm])
        info_table.setStyle(TableStyle([
                    ('VALIGN', (0, 0), (-1, -1), 'TOP'),
                    ('LEFTPADDING', (0, 0), (-1, -1), 0),
                    ('RIGHTPADDING', (0, 0), (-1, -1), 0),
                    ]))

        top = Table([[
                    Paragraph(company_text, styles['small']),
                    Paragraph(_text(_('title')), styles['title']),
                    ]], colWidths=[WIDTH - 70 * mm, 70 * mm])
        address_block = Table([[
                    [Paragraph(_text(_('customer')), styles['small']),
                        Paragraph(customer_text, styles['normal'])],
                    info_table,
                    ]], colWidths=[WIDTH - 70 * mm, 70 * mm])
        for table in [top, address_block]:
            table.setStyle(TableStyle([
                        ('VALIGN', (0, 0), (-1, -1), 'TOP'),
                        ('LEFTPADDING', (0, 0), (-1, -1), 0),
                        ('RIGHTPADDING', (0, 0), (-1, -1), 0),
                        ]))
        story = [top, Spacer(0, 5 * mm), address_block, Spacer(0, 4 * mm)]
        if sale.quotation_expire:
            story.append(Paragraph(
                    _text(_('validity', date=lang.strftime(
                                sale.quotation_expire))),
                    styles['normal']))
            story.append(Spacer(0, 2 * mm))
        return story

    @classmethod
    def photo(cls, vehicle):
        "Return the vehicle's cover photo as a flowable or None"
        data = vehicle.cover
        if not data:
            return None
        try:
            width, height = ImageReader(io.BytesIO(data)).getSize()
        except Exception:
            return None
        if not width or not height:
            return None
        return Image(
            io.BytesIO(data), width=PHOTO_WIDTH,
            height=PHOTO_WIDTH * height / width)

    @classmethod
    def vehicle(cls, vehicle, lang, styles):
        rows = [
            (_('make'), _name(vehicle.make)),
            (_('model'), _name(vehicle.model)),
            (_('variant'), vehicle.variant.name if vehicle.variant else ''),
            (_('model_year'), str(vehicle.model_year or '')),
            (_('vin'), vehicle.vin),
            ]
        if vehicle.mileage is not None:
            rows.append((_('mileage'), _('mileage_value',
                        mileage=lang.format('%d', vehicle.mileage, True))))
        rows.extend([
                (_('exterior_colour'), vehicle.exterior_colour),
                (_('interior_colour'), vehicle.interior_colour),
                ])
        if vehicle.first_registration:
            rows.append((_('first_registration'),
                    lang.strftime(vehicle.first_registration)))
        photo = cls.photo(vehicle)
        label_width = 35 * mm
        if photo:
            width = WIDTH - PHOTO_WIDTH - 6 * mm
        else:
            width = WIDTH
        details = Table([
                [Paragraph(_text(k), styles['small']),
                    Paragraph(_text(v), styles['normal'])]
                for k, v in rows if v],
            colWidths=[label_width, width - label_width])
        details.setStyle(TableStyle([
                    ('VALIGN', (0, 0), (-1, -1), 'TOP'),
                    ('LEFTPADDING', (0, 0), (-1, -1), 0),
                    ('TOPPADDING', (0, 0), (-1, -1), 1),
                    ('BOTTOMPADDING', (0, 0), (-1, -1), 1),
                    ]))
        body = details
        if photo:
            body = Table([[photo, details]],
                colWidths=[PHOTO_WIDTH + 6 * mm, width])
            body.setStyle(TableStyle([
                        ('VALIGN', (0, 0), (-1, -1), 'TOP'),
                        ('LEFTPADDING', (0, 0), (-1, -1), 0),
                        ('RIGHTPADDING', (0, 0), (-1, -1), 0),
                        ]))
        title = ' '.join(filter(None, [
                    _name(vehicle.make), _name(vehicle.model),
                    vehicle.variant.name if vehicle.variant else None]))
        return [KeepTogether([
                    Paragraph(_text(_('vehicle')) + ': ' + _text(title),
                        styles['heading']),
                    body])]

    @classmethod
    def line_kind(cls, line):
        if line.vehicle:
            return 'vehicle'
        return getattr(line, 'deal_kind', None) or 'other'

    @classmethod
    def lines(cls, sale, lang, styles):
        groups = {name: [] for name, _kinds in LINE_GROUPS}
        for line in sale.lines:
            if line.type not in {'line', 'comment'}:
                continue
            kind = cls.line_kind(line)
            if kind == 'trade_in':
                continue
            for name, kinds in LINE_GROUPS:
                if kinds is None or kind in kinds:
                    groups[name].append(line)
                    break

        header = [
            Paragraph(_text(_('description')), styles['bold']),
            Paragraph(_text(_('quantity')), styles['bold_right']),
            Paragraph(_text(_('unit_price')), styles['bold_right']),
            Paragraph(_text(_('amount')), styles['bold_right']),
            ]
        rows = [header]
        style = [
            ('VALIGN', (0, 0), (-1, -1), 'TOP'),
            ('TOPPADDING', (0, 0), (-1, -1), 2),
            ('BOTTOMPADDING', (0, 0), (-1, -1), 2),
            ('LINEBELOW', (0, 0), (-1, 0), 0.8, colors.black),
            ]
        for name, _kinds in LINE_GROUPS:
            lines = groups[name]
            if not lines:
                continue
            row = len(rows)
            style.append(('BACKGROUND', (0, row), (-1, row), LIGHT))
            style.append(('SPAN', (0, row), (-1, row)))
            rows.append([
                    Paragraph(_text(_('group_' + name)), styles['bold']),
                    '', '', ''])
            total = Decimal(0)
            for line in lines:
                description = line.description or _name(line.product)
                if line.type != 'line':
                    rows.append([
                            Paragraph(_text(description), styles['normal']),
                            '', '', ''])
                    continue
                quantity = lang.format_number(
                    line.quantity, line.unit.digits if line.unit else None)
                if line.unit:
                    quantity += ' ' + line.unit.symbol
                rows.append([
                        Paragraph(_text(description), styles['normal']),
                        Paragraph(_text(quantity), styles['right']),
                        Paragraph(_text(lang.currency(
                                    line.unit_price, sale.currency,
                                    grouping=True)), styles['right']),
                        Paragraph(_text(lang.currency(
                                    line.amount, sale.currency,
                                    grouping=True)), styles['right']),
                        ])
                total += line.amount or 0
            if len([l for l in lines if l.type == 'line']) > 1:
                style.append(
                    ('LINEABOVE', (3, len(rows)), (3, len(rows)), 0.5,
                        colors.black))
                rows.append([
                        '', '', '',
                        Paragraph(_text(lang.currency(
                                    total, sale.currency, grouping=True)),
                            styles['bold_right']),
                        ])
        if len(rows) == 1:
            return []
        table = Table(
            rows, colWidths=[WIDTH - 89 * mm, 25 * mm, 32 * mm, 32 * mm],
            repeatRows=1)
        table.setStyle(TableStyle(style))
        return [
            Paragraph(_text(_('lines')), styles['heading']),
            table,
            ]

    @classmethod
    def trade_ins(cls, sale, lang, styles):
        trade_ins = list(getattr(sale, 'trade_ins', None) or [])
        if not trade_ins:
            return []
        rows = [[
                Paragraph(_text(_('vin')), styles['bold']),
                Paragraph(_text(_('make_model')), styles['bold']),
                Paragraph(_text(_('mileage')), styles['bold_right']),
                Paragraph(_text(_('allowance')), styles['bold_right']),
                ]]
        for trade_in in trade_ins:
            vehicle = trade_in.vehicle
            make = trade_in.make or (vehicle.make if vehicle else None)
            model = trade_in.model or (vehicle.model if vehicle else None)
            variant = trade_in.variant or (
                vehicle.variant if vehicle else None)
            description = ' '.join(filter(None, [
                        _name(make), _name(model),
                        variant.name if variant else None,
                        str(trade_in.model_year or '')]))
            mileage = ''
            if trade_in.mileage is not None:
                mileage = _('mileage_value',
                    mileage=lang.format('%d', trade_in.mileage, True))
            allowance = ''
            if trade_in.allowance is not None:
                allowance = lang.currency(
                    trade_in.allowance,
                    trade_in.currency or sale.currency, grouping=True)
            rows.append([
                    Paragraph(_text(trade_in.vin), styles['normal']),
                    Paragraph(_text(description), styles['normal']),
                    Paragraph(_text(mileage), styles['right']),
                    Paragraph(_text(allowance), styles['right']),
                    ])
        table = Table(
            rows, colWidths=[45 * mm, WIDTH - 107 * mm, 30 * mm, 32 * mm],
            repeatRows=1)
        table.setStyle(TableStyle([
                    ('VALIGN', (0, 0), (-1, -1), 'TOP'),
                    ('LINEBELOW', (0, 0), (-1, 0), 0.8, colors.black),
                    ]))
        return [KeepTogether([
                    Paragraph(_text(_('trade_ins')), styles['heading']),
                    table])]

    @classmethod
    def breakdown(cls, sale, lang, styles):
        "Return the price breakdown down to what the customer pays"
        currency = sale.currency
        subtotal = Decimal(0)
        trade_in_lines = Decimal(0)
        has_trade_in_lines = False
        for line in sale.lines:
            if line.type != 'line':
                continue
            if cls.line_kind(line) == 'trade_in':
                trade_in_lines += line.amount or 0
                has_trade_in_lines = True
            else:
                subtotal += line.amount or 0
        allowance = sum(
            (t.allowance or 0 for t in getattr(sale, 'trade_ins', None) or []),
            Decimal(0))
        total = sale.total_amount or Decimal(0)
        rows = []
        if has_trade_in_lines:
            # The allowance is deducted on the sale itself
            rows.append((_('subtotal'), subtotal, False))
            rows.append((_('trade_in_allowance'), trade_in_lines, False))
            rows.append((_('untaxed'), sale.untaxed_amount, False))
            rows.append((_('taxes'), sale.tax_amount, False))
            rows.append((_('total_to_pay'), total, True))
        else:
            if sale.untaxed_amount != subtotal:
                rows.append((_('subtotal'), subtotal, False))
            rows.append((_('untaxed'), sale.untaxed_amount, False))
            rows.append((_('taxes'), sale.tax_amount, False))
            if allowance:
                rows.append((_('total'), total, False))
                rows.append((_('trade_in_allowance'), -allowance, False))
            rows.append((_('total_to_pay'), total - allowance, True))
        table = Table([[
                    Paragraph(_text(label), styles['bold' if strong
                            else 'normal']),
                    Paragraph(_text(lang.currency(
                                amount or Decimal(0), currency,
                                grouping=True)),
                        styles['bold_right' if strong else 'right']),
                    ] for label, amount, strong in rows],
            colWidths=[55 * mm, 35 * mm], hAlign='RIGHT')
        table.setStyle(TableStyle([
                    ('LINEABOVE', (0, -1), (-1, -1), 0.8, colors.black),
                    ('LINEBELOW', (0, -1), (-1, -1), 0.8, colors.black),
                    ]))
        return [
            Paragraph(_text(_('price_breakdown')), styles['heading']),
            table,
            ]

    @classmethod
    def salesperson(cls, sale, lang, styles):
        pool = Pool()
        User = pool.get('res.user')
        employee = getattr(sale, 'salesperson', None) or sale.quoted_by
        email = phone = None
        if employee:
            party = employee.party
            name = party.rec_name
        else:
            user = User(Transaction().user)
            party = user.employee.party if user.employee else None
            name = party.rec_name if party else user.name
            email = user.email
        if party:
            mechanism = party.contact_mechanism_get('email')
            if mechanism:
                email = mechanism.value
            mechanism = party.contact_mechanism_get({'phone', 'mobile'})
            if mechanism:
                phone = mechanism.value
        text = '<b>%s</b>' % _text(name)
        if phone:
            text += '<br/>%s: %s' % (_text(_('phone')), _text(phone))
        if email:
            text += '<br/>%s: %s' % (_text(_('email')), _text(email))
        return [
            Paragraph(_text(_('salesperson')), styles['heading']),
            Paragraph(text, styles['normal']),
            ]
