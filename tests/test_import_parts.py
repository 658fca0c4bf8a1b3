# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""scripts/import_parts.py: the price file import from the command line, on
the test database (SQLite or PostgreSQL, as the other tests)"""
import contextlib
import io
import os
import sys
import tempfile
import unittest

from trytond.tests.test_tryton import drop_db

sys.path.insert(0, os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        'scripts'))

import import_parts  # noqa: E402

HEADER = (
    'part_number;description;list_price;currency;superseded_by;'
    'discount_group;unit\n')


class ImportPartsScriptTestCase(unittest.TestCase):
    "Test the command line import of a price file"

    @classmethod
    def setUpClass(cls):
        from proteus import Model
        from trytond.modules.company.tests.tools import create_company
        from trytond.tests.tools import activate_modules
        drop_db()
        cls.config = activate_modules('dms_parts', create_company)
        Party = Model.get('party.party')
        Profile = Model.get('dms.part.import.profile')
        Company = Model.get('company.company')
        skoda = Party(name="Skoda Auto")
        skoda.save()
        Profile(name="Skoda", manufacturer=skoda).save()
        company, = Company.find()
        cls.company = company.party.name

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def run_script(self, content, *options):
        with tempfile.NamedTemporaryFile(
                'w', suffix='.csv', delete=False, encoding='utf-8') as file:
            file.write(content)
        self.addCleanup(os.unlink, file.name)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = import_parts.main([
                    '--database', self.config.database_name,
                    '--company', self.company,
                    '--manufacturer', "Skoda Auto",
                    *options, file.name], config=self.config)
        return status, out.getvalue(), err.getvalue()

    def test_import_then_refuse(self):
        "Test the summary, and the exit status of a refused file"
        from proteus import Model
        Template = Model.get('product.template')
        status, out, err = self.run_script(HEADER
            + '5E0 698 151;Brake Pad Set;47.20;;;BR;\n'
            + '5E0 698 151 A;Brake Pad Set;48.00;;;BR;\n')
        self.assertEqual((status, err), (0, ''))
        self.assertEqual(out.splitlines(), [
                'created: 2', 'updated: 0', 'unchanged: 0', 'superseded: 0',
                'refused: 0'])

        bad = (HEADER
            + '5E0 698 151;Brake Pad Set;47.20;;5E0 698 151 A;BR;\n'
            + '5E0 698 152;Brake Pad Set Rear;forty;;;BR;\n')
        status, out, err = self.run_script(bad)
        self.assertEqual(status, 1)
        self.assertEqual(err.splitlines(), [
                'Line 3, column "list_price": the list price "forty" of '
                'part "5E0 698 152" is not a number.',
                'The file is refused: nothing was imported.'])
        old, = Template.find([('part_number', '=', '5E0 698 151')])
        self.assertIsNone(old.part_replaced_by)

        status, out, err = self.run_script(bad, '--good-rows')
        self.assertEqual(status, 0)
        self.assertEqual(out.splitlines(), [
                'created: 0', 'updated: 1', 'unchanged: 0', 'superseded: 1',
                'refused: 1'])
        old.reload()
        self.assertEqual(old.part_replaced_by.part_number, '5E0 698 151 A')

    def test_unknown_manufacturer(self):
        "Test a manufacturer without profile exits with 2 and says so"
        out, err = io.StringIO(), io.StringIO()
        with tempfile.NamedTemporaryFile('w', suffix='.csv') as file:
            file.write(HEADER)
            file.flush()
            with contextlib.redirect_stdout(out), \
                    contextlib.redirect_stderr(err):
                status = import_parts.main([
                        '--database', self.config.database_name,
                        '--company', self.company,
                        '--manufacturer', "Seat", file.name],
                    config=self.config)
        self.assertEqual(status, 2)
        self.assertEqual(err.getvalue(), "No manufacturer named 'Seat'\n")

    def test_file_in_wrong_encoding(self):
        "Test a file the profile cannot read exits with 1 and the reason"
        with tempfile.NamedTemporaryFile(
                'wb', suffix='.csv', delete=False) as file:
            file.write((HEADER + '5E0;Bremsbelag groß;5;;;;\n').encode(
                    'cp1252'))
        self.addCleanup(os.unlink, file.name)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = import_parts.main([
                    '--database', self.config.database_name,
                    '--company', self.company,
                    '--manufacturer', "Skoda Auto", file.name],
                config=self.config)
        self.assertEqual(status, 1)
        self.assertIn('is not in utf-8, the encoding of profile "Skoda"',
            err.getvalue())


if __name__ == '__main__':
    unittest.main()
