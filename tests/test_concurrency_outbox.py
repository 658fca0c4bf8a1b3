# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Several processes sending the outbox at once send each message once.

PostgreSQL only (run by `make test-postgresql`): trytond-cron and
trytond-worker processes may run the outbox at the same time.  Without a
queue worker each run of the cron runs a task for every due message, so that
several tasks of one message run together; with workers, a message whose
task a worker has taken may get another from the cron.  Each task locks its
message with SELECT ... FOR UPDATE SKIP LOCKED before it sends it."""
import os
import subprocess
import sys
import time
import unittest
from collections import Counter

from proteus import Model

import trytond.config as config
from trytond import backend
from trytond.modules.company.tests.tools import create_company
from trytond.modules.dms_base.tests.tools import SMTPServer
from trytond.tests.test_tryton import DB_NAME
from trytond.tests.tools import activate_modules

PROCESSES = 3
MESSAGES = 30

START = '''
import sys
import trytond.config as config
config.set('email', 'uri', sys.argv[2])
from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.worker import run_task
database = sys.argv[1]
pool = Pool(database)
with Transaction().start(database, 0, readonly=True):
    pool.init()
'''

# As trytond-cron without a queue worker: the tasks that the run of the cron
# enqueued run after its commit, each in a transaction of its own
CRON = START + '''
with Transaction().start(database, 0) as transaction:
    pool.get('dms.message').send_due()
while transaction.tasks:
    run_task(pool, transaction.tasks.pop())
'''

# As trytond-cron and trytond-worker with [queue] worker: the run of the
# cron stores its tasks, which the worker takes from the queue one by one
WORKER = START + '''
config.set('queue', 'worker', 'True')
with Transaction().start(database, 0):
    pool.get('dms.message').send_due()
Queue = pool.get('ir.queue')
database = backend.Database(database).connect()
connection = database.get_connection(autocommit=True)
try:
    while True:
        task_id, _ = Queue.pull(database, connection, 'dms_message')
        if not task_id:
            break
        run_task(pool, task_id)
finally:
    database.put_connection(connection)
'''


@unittest.skipUnless(
    backend.name == 'postgresql', "row locks need PostgreSQL")
class OutboxConcurrencyTestCase(unittest.TestCase):
    "Test concurrent runs of the outbox"

    def setUp(self):
        self.smtp = SMTPServer()
        # Slow enough that the processes overlap
        self.smtp.delay = 0.05
        self.smtp.start()
        self.addCleanup(self.smtp.stop)
        # Keep the queue tasks for a worker: nothing is sent on save
        self.addCleanup(
            config.set, 'queue', 'worker',
            config.get('queue', 'worker', default='False'))
        config.set('queue', 'worker', 'True')

    def test_each_message_sent_once(self):
        "Test each queued message is sent once by concurrent runs"
        activate_modules('dms_base', create_company)
        Party = Model.get('party.party')
        customer = Party(name="Customer")
        mechanism = customer.contact_mechanisms.new(type='email')
        mechanism.value = 'customer@example.com'
        customer.save()

        for name, script in [('cron', CRON), ('worker', WORKER)]:
            with self.subTest(processes=name):
                self._send_concurrently(script, customer, name)

    def _send_concurrently(self, script, customer, name):
        Message = Model.get('dms.message')
        messages = [
            Message(party=customer, subject=f"{name} {i}", body="Hello")
            for i in range(MESSAGES)]
        Message.save(messages)
        self.assertEqual({m.state for m in messages}, {'queued'})

        env = dict(os.environ)
        processes = [
            subprocess.Popen(
                [sys.executable, '-c', script, DB_NAME, self.smtp.uri],
                env=env)
            for _ in range(PROCESSES)]
        deadline = time.monotonic() + 300
        for process in processes:
            self.assertEqual(
                process.wait(timeout=max(deadline - time.monotonic(), 1)),
                0)

        subjects = Counter(
            str(m['message']['Subject']) for m in self.smtp.messages
            if str(m['message']['Subject']).startswith(name))
        self.assertEqual(len(subjects), MESSAGES)
        self.assertEqual(set(subjects.values()), {1}, msg=subjects)
        sent = Message.find([('id', 'in', [m.id for m in messages])])
        self.assertEqual({m.state for m in sent}, {'sent'})
        self.assertEqual({m.attempts for m in sent}, {1})
