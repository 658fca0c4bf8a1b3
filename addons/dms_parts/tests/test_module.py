# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import unittest
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.dms_base.tests.tools import untranslated_entries
from trytond.modules.dms_parts.exceptions import (
    PartNumberError, PriceFileError, SupersessionError)
from trytond.modules.dms_parts.product import (
    normalize_number, normalize_pattern)
from trytond.modules.party.tests import PartyCheckReplaceMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

HEADER = (
    'part_number;description;list_price;currency;superseded_by;'
    'discount_group;unit\n')


class NumberTestCase(unittest.TestCase):
    "Test part numbers without a database"

    def test_normalize(self):
        "Test separators and case do not count in a part number"
        for number in ['1K0 615 301 AA', '1k0-615-301aa', '1K0615301AA',
                '1K0.615.301 aa', ' 1k0/615/301-AA ']:
            with self.subTest(number=number):
                self.assertEqual(normalize_number(number), '1K0615301AA')
        self.assertIsNone(normalize_number(' - '))
        self.assertIsNone(normalize_number(None))

    def test_normalize_pattern(self):
        "Test a search pattern keeps its wildcards"
        self.assertEqual(normalize_pattern('%1k0 615%'), '%1K0615%')
        self.assertIsNone(normalize_pattern('% - %'))


class DmsPartsTestCase(
        PartyCheckReplaceMixin, CompanyTestMixin, ModuleTestCase):
    "Test dms_parts module"
    module = 'dms_parts'

    @property
    def _skip_company_rule(self):
        return super()._skip_company_rule | {
            ('stock.location', 'company'),
            }

    def _manufacturer(self, name="Volkswagen AG"):
        pool = Pool()
        Party = pool.get('party.party')
        party, = Party.create([{'name': name}])
        return party

    def _part(self, manufacturer, number, name="Brake Disc", **values):
        pool = Pool()
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('symbol', '=', 'u')])
        template, = Template.create([dict(
                    name=name, part_number=number, part=True, type='goods',
                    part_manufacturer=manufacturer.id,
                    default_uom=unit.id, products=[('create', [{}])],
                    **values)])
        return template

    def _profile(self, manufacturer, **values):
        pool = Pool()
        Profile = pool.get('dms.part.import.profile')
        profile, = Profile.create([dict(
                    name=manufacturer.name, manufacturer=manufacturer.id,
                    **values)])
        return profile

    @with_transaction()
    def test_search_number_with_separators(self):
        "Test a part is found by its number written any way"
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        company = create_company()
        with set_company(company):
            template = self._part(self._manufacturer(), '1K0 615 301 AA')
            self._part(self._manufacturer("Audi AG"), '8V0 615 301')
            for text in ['1K0 615 301 AA', '1k0-615-301aa', '1K0615301AA',
                    '615301aa']:
                with self.subTest(text=text):
                    self.assertEqual(
                        Product.search([('rec_name', 'ilike', f'%{text}%')]),
                        list(template.products))
                    self.assertEqual(
                        Template.search(
                            [('rec_name', 'ilike', f'%{text}%')]),
                        [template])
            self.assertEqual(
                Product.search([('part_number', '=', '1k0.615.301.aa')]),
                list(template.products))

    @with_transaction()
    def test_number_unique_per_manufacturer(self):
        "Test a number is refused when another part of the maker has it"
        company = create_company()
        with set_company(company):
            vw = self._manufacturer()
            self._part(vw, '1K0 615 301 AA')
            with self.assertRaisesRegex(PartNumberError,
                    r'cannot have number "1k0-615-301aa": part '
                    r'"\[1K0 615 301 AA\] Brake Disc" of manufacturer '
                    r'"Volkswagen AG" already has it'):
                self._part(vw, '1k0-615-301aa')
            # another manufacturer may use the same number
            self._part(self._manufacturer("Skoda Auto"), '1K0615301AA')

    @with_transaction()
    def test_supersession_chain(self):
        "Test the newest part and the chain of a superseded part"
        pool = Pool()
        Product = pool.get('product.product')
        company = create_company()
        with set_company(company):
            vw = self._manufacturer()
            old, mid, new = [
                self._part(vw, n) for n in ['1K0 A', '1K0 B', '1K0 C']]
            (old_p,), (mid_p,), (new_p,) = [
                t.products for t in [old, mid, new]]
            Product.write([old_p], {'replaced_by': mid_p.id})
            Product.write([mid_p], {'replaced_by': new_p.id})
            old_p = Product(old_p.id)
            self.assertEqual(old_p.newest, new_p)
            self.assertEqual(old_p.chain, '1K0 A → 1K0 B → 1K0 C')
            self.assertEqual(Product.search(
                    [('rec_name', 'ilike', '%1k0-a%')], order=[('id', 'ASC')]),
                [old_p, mid_p, new_p])

            with self.assertRaisesRegex(SupersessionError,
                    r'go round in a circle: 1K0 C → 1K0 A → 1K0 B → 1K0 C'):
                Product.write([new_p], {'replaced_by': old_p.id})

    @with_transaction()
    def test_import_refuses_bad_rows(self):
        "Test a price file with a bad row writes nothing and names every row"
        pool = Pool()
        Profile = pool.get('dms.part.import.profile')
        Template = pool.get('product.template')
        company = create_company()
        with set_company(company):
            vw = self._manufacturer()
            profile = self._profile(vw)
            data = (HEADER
                + '1K0 615 301 AA;Brake disc;58.90;;;;\n'
                + ';No number;1;;;;\n'
                + '1K0 615 302;Brake pad;abc;;;;\n'
                + '1K0 615 303;Sensor;-5;;;;\n'
                + '1K0 615 304;Hose;5;XYZ;;;\n'
                + '1k0-615-301aa;Again;5;;;;\n'
                + '1K0 615 305;Loop;5;;1K0615305;;\n').encode()
            result = Profile.import_file(
                [profile], company.id, data, 'vw.csv')
            self.assertFalse(result['imported'])
            self.assertEqual(result['refused'], 6)
            self.assertEqual(result['report'].splitlines(), [
                    'Line 3, column "part_number": the row has no part '
                    'number.',
                    'Line 4, column "list_price": the list price "abc" of '
                    'part "1K0 615 302" is not a number.',
                    'Line 5, column "list_price": the list price -5 of part '
                    '"1K0 615 303" is negative.',
                    'Line 6, column "currency": the currency "XYZ" of part '
                    '"1K0 615 304" is unknown.',
                    'Line 7, column "part_number": part number '
                    '"1k0-615-301aa" is already on line 2.',
                    'Line 8, column "superseded_by": part "1K0 615 305" '
                    'cannot supersede itself.',
                    ])
            self.assertEqual(Template.search([('part', '=', True)]), [])

            result = Profile.import_file(
                [profile], company.id, data, 'vw.csv', valid_rows=True)
            self.assertTrue(result['imported'])
            self.assertEqual(
                (result['created'], result['refused']), (1, 6))
            template, = Template.search([('part', '=', True)])
            self.assertEqual(
                (template.part_number, template.name, template.list_price),
                ('1K0 615 301 AA', "Brake disc", Decimal('58.9000')))

    @with_transaction()
    def test_import_refuses_file(self):
        "Test a file in another encoding or without a column is refused"
        pool = Pool()
        Profile = pool.get('dms.part.import.profile')
        company = create_company()
        with set_company(company):
            profile = self._profile(self._manufacturer())
            with self.assertRaisesRegex(PriceFileError,
                    r'The price file "vw.csv" is not in utf-8, the encoding '
                    r'of profile "Volkswagen AG" \(line 2 cannot be read\)'):
                Profile.import_file([profile], company.id,
                    (HEADER + '1K0;Bremsscheibe groß;5;;;;\n').encode(
                        'cp1252'), 'vw.csv')
            with self.assertRaisesRegex(PriceFileError,
                    r'has no column "list_price", which profile '
                    r'"Volkswagen AG" needs; its header is '
                    r'"part_number;description;price"'):
                Profile.import_file([profile], company.id,
                    b'part_number;description;price\n1K0;Disc;5\n',
                    'vw.csv')

    @with_transaction()
    def test_price_file_not_written_by_users(self):
        "Test a price file record is refused over RPC"
        pool = Pool()
        PriceFile = pool.get('dms.part.price_file')
        Profile = pool.get('dms.part.import.profile')
        company = create_company()
        with set_company(company):
            profile = self._profile(self._manufacturer())
            result = Profile.import_file([profile], company.id,
                (HEADER + '1K0;Disc;5;;;;\n').encode(), 'vw.csv')
            price_file = PriceFile(result['price_file'])
            with self.assertRaisesRegex(UserError, 'import the file again'):
                PriceFile.check_modification(
                    'write', [price_file], {'created': 0}, external=True)

    @with_transaction()
    def test_german_translation_complete(self):
        "Test every string of the module has its German translation"
        self.maxDiff = None
        missing, obsolete = untranslated_entries('dms_parts', 'de')
        self.assertEqual(missing, [], msg="Not translated in locale/de.po")
        self.assertEqual(obsolete, [], msg="No longer in the module")


del ModuleTestCase
