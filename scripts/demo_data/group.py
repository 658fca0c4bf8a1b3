# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo dealer group: its country, rooftops, departments and staff.

Every name, address and number here is invented for the demo; e-mail
addresses use the domains reserved for examples."""

COUNTRY = {
    'code': 'DE',
    'code3': 'DEU',
    'code_numeric': '276',
    'name': "Germany",
    }
CURRENCY = {
    'code': 'EUR',
    'numeric_code': '978',
    'name': "Euro",
    'symbol': '€',
    }
TIMEZONE = 'Europe/Berlin'
# The customers' language (reminders and messages are written in it) and
# the rooftops whose staff work in it; the others keep English, so that the
# README and the browser test name the menus in English
LANGUAGE = 'de'
LANGUAGE_ROOFTOPS = {'BON'}
GROUP_NAME = "Rheinblick Automobile"
EMAIL_DOMAIN = 'rheinblick.example.com'

# The rooftops, the first one is the group's head office.
# code: short name used for warehouses and logins
ROOFTOPS = [
    {
        'code': 'KOE',
        'login': 'koeln',
        'name': "Autohaus Rheinblick Köln GmbH",
        'street_name': "Oskar-Jäger-Straße",
        'building_number': "125",
        'postal_code': "50825",
        'city': "Köln",
        'phone': '+49 221 4710100',
        'email': 'koeln@' + EMAIL_DOMAIN,
        'warehouse': "Köln Warehouse",
        },
    {
        'code': 'DUS',
        'login': 'duesseldorf',
        'name': "Autohaus Rheinblick Düsseldorf GmbH",
        'street_name': "Höherweg",
        'building_number': "270",
        'postal_code': "40231",
        'city': "Düsseldorf",
        'phone': '+49 211 99998100',
        'email': 'duesseldorf@' + EMAIL_DOMAIN,
        'warehouse': "Düsseldorf Warehouse",
        },
    {
        'code': 'BON',
        'login': 'bonn',
        'name': "Autohaus Rheinblick Bonn GmbH",
        'street_name': "Siemensstraße",
        'building_number': "20",
        'postal_code': "53121",
        'city': "Bonn",
        'phone': '+49 228 99998100',
        'email': 'bonn@' + EMAIL_DOMAIN,
        'warehouse': "Bonn Warehouse",
        },
    ]

# The five departments of every rooftop: (type, code, name)
DEPARTMENTS = [
    ('new_vehicles', 'NEW', "New Vehicles"),
    ('used_vehicles', 'USED', "Used Vehicles"),
    ('service', 'SERV', "Service"),
    ('parts', 'PARTS', "Parts"),
    ('finance_insurance', 'FI', "Finance & Insurance"),
    ]

# The roles: the dms_base group and the platform groups each role needs
# (as XML ids of the activated modules).  A group-wide role has access to
# every rooftop (switching between them, or seeing all at once with the
# company filter "all"); the others work for their rooftop only.
ROLES = {
    'sales': {
        'name': "Sales",
        'groups': [
            'dms_base.group_sales', 'sale.group_sale', 'stock.group_stock'],
        },
    'sales_manager': {
        'name': "Sales Manager",
        'groups': [
            'dms_base.group_sales_manager', 'sale.group_sale',
            'stock.group_stock', 'commission.group_commission'],
        },
    'used_car_buyer': {
        'name': "Used-Car Buyer",
        'groups': ['dms_base.group_used_car_buyer', 'stock.group_stock'],
        },
    'service_advisor': {
        'name': "Service Advisor",
        'groups': ['dms_base.group_service_advisor'],
        },
    'technician': {
        'name': "Technician",
        'groups': ['dms_base.group_technician'],
        },
    'parts': {
        'name': "Parts",
        'groups': [
            'dms_base.group_parts', 'stock.group_stock',
            'product.group_product_admin', 'sale.group_sale',
            'purchase.group_purchase',
            'purchase_request.group_purchase_request'],
        },
    'accountant': {
        'name': "Accountant",
        'groups': [
            'dms_base.group_accountant', 'account.group_account',
            'account.group_account_admin'],
        'group_wide': True,
        },
    'rooftop_manager': {
        'name': "Rooftop Manager",
        'groups': [
            'dms_base.group_rooftop_manager', 'account.group_account',
            'stock.group_stock', 'party.group_party_admin',
            'company.group_employee_admin'],
        },
    'group_manager': {
        'name': "Group Manager",
        'groups': [
            'dms_base.group_group_manager', 'account.group_account',
            'sale.group_sale', 'stock.group_stock', 'party.group_party_admin',
            'company.group_employee_admin', 'company.group_company_admin'],
        'group_wide': True,
        'company_filter': 'all',
        },
    }

# The staff: (login or None, first name, last name, role or None,
# rooftop code, department type or None).
# Every role has at least one user; the accountant works for the whole
# group from the head office and the group manager sees every rooftop.
# Staff without login are employees who do not use the system (yet).
STAFF = [
    ('sales.koeln', "Anna", "Becker", 'sales', 'KOE', 'new_vehicles'),
    ('sales2.koeln', "Jonas", "Hoffmann", 'sales', 'KOE', 'new_vehicles'),
    ('salesmanager.koeln', "Stefan", "Krämer", 'sales_manager', 'KOE',
        'new_vehicles'),
    ('usedcars.koeln', "Murat", "Yilmaz", 'used_car_buyer', 'KOE',
        'used_vehicles'),
    ('service.koeln', "Sabine", "Wagner", 'service_advisor', 'KOE',
        'service'),
    ('technician.koeln', "Dennis", "Schulz", 'technician', 'KOE', 'service'),
    ('parts.koeln', "Marco", "Lange", 'parts', 'KOE', 'parts'),
    ('accounting', "Petra", "Neumann", 'accountant', 'KOE', None),
    ('manager.koeln', "Thomas", "Richter", 'rooftop_manager', 'KOE', None),
    ('groupmanager', "Claudia", "Vogel", 'group_manager', 'KOE', None),
    (None, "Heike", "Schmitz", None, 'KOE', 'finance_insurance'),
    ('sales.duesseldorf', "Lena", "Fischer", 'sales', 'DUS', 'new_vehicles'),
    ('salesmanager.duesseldorf', "Oliver", "Braun", 'sales_manager', 'DUS',
        'new_vehicles'),
    ('usedcars.duesseldorf', "Kevin", "Schröder", 'used_car_buyer', 'DUS',
        'used_vehicles'),
    ('service.duesseldorf', "Nicole", "Zimmermann", 'service_advisor', 'DUS',
        'service'),
    ('technician.duesseldorf', "Patrick", "Hartmann", 'technician', 'DUS',
        'service'),
    ('parts.duesseldorf', "Sven", "Krüger", 'parts', 'DUS', 'parts'),
    ('manager.duesseldorf', "Michael", "Wolf", 'rooftop_manager', 'DUS',
        None),
    (None, "Sandra", "Peters", None, 'DUS', 'finance_insurance'),
    ('sales.bonn', "Julia", "Schumacher", 'sales', 'BON', 'new_vehicles'),
    ('service.bonn', "Tobias", "Keller", 'service_advisor', 'BON', 'service'),
    ('technician.bonn', "Lukas", "Berger", 'technician', 'BON', 'service'),
    ('parts.bonn', "Daniel", "Frank", 'parts', 'BON', 'parts'),
    ('manager.bonn', "Andrea", "Weiß", 'rooftop_manager', 'BON', None),
    (None, "Markus", "Jansen", None, 'BON', 'finance_insurance'),
    ]

# Who manages each department: (rooftop code, department type) -> login
# or "first last" of an employee without login
DEPARTMENT_MANAGERS = {
    ('KOE', 'new_vehicles'): 'salesmanager.koeln',
    ('KOE', 'used_vehicles'): 'usedcars.koeln',
    ('KOE', 'service'): 'service.koeln',
    ('KOE', 'parts'): 'parts.koeln',
    ('KOE', 'finance_insurance'): "Heike Schmitz",
    ('DUS', 'new_vehicles'): 'salesmanager.duesseldorf',
    ('DUS', 'used_vehicles'): 'usedcars.duesseldorf',
    ('DUS', 'service'): 'service.duesseldorf',
    ('DUS', 'parts'): 'parts.duesseldorf',
    ('DUS', 'finance_insurance'): "Sandra Peters",
    ('BON', 'new_vehicles'): 'manager.bonn',
    ('BON', 'used_vehicles'): 'manager.bonn',
    ('BON', 'service'): 'service.bonn',
    ('BON', 'parts'): 'parts.bonn',
    ('BON', 'finance_insurance'): "Markus Jansen",
    }

# The demo password of every demo user
PASSWORD = 'dealerdemo'
