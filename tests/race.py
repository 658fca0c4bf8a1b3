# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Races of clients against a real trytond server, for the concurrency tests.

RaceMixin starts trytond on the test database (PostgreSQL) and runs worker
processes, each logged in with a session as a client is, which call it over
XML-RPC at the same moment (a barrier through their pipes), so that every
request takes Tryton's normal path: a transaction that fails to serialise is
retried by the dispatcher.  A test case sets WORKER (the worker's script:
it reads one JSON order per line, prepares the call, prints "ready", waits
for "go", makes the call and prints its result as JSON), WORKERS and
PASSWORD (the admin's password, set by the test's data)."""
import json
import os
import select
import socket
import subprocess
import sys
import time
import xmlrpc.client

from trytond.tests.test_tryton import DB_NAME

TIMEOUT = 120

# The server's log: the dispatcher logs each retried request at debug level
LOGGING = '''
[loggers]
keys=root,dispatcher

[handlers]
keys=file

[formatters]
keys=plain

[logger_root]
level=WARNING
handlers=file

[logger_dispatcher]
level=DEBUG
handlers=file
qualname=trytond.protocols.dispatcher
propagate=0

[handler_file]
class=FileHandler
args=(%(path)r, 'a')
formatter=plain

[formatter_plain]
format=%%(asctime)s %%(thread)d %%(levelname)s %%(name)s %%(message)s
'''


def free_port():
    with socket.socket() as sock:
        sock.bind(('localhost', 0))
        return sock.getsockname()[1]


class RaceMixin:
    "Start a trytond server and race workers against it"
    WORKER = None
    WORKERS = 4
    PASSWORD = None

    @classmethod
    def _start_server(cls):
        port = free_port()
        cls.log = os.path.join(cls.tmp, 'trytond.log')
        logconf = os.path.join(cls.tmp, 'logging.conf')
        with open(logconf, 'w') as file:
            file.write(LOGGING % {'path': cls.log})
        conf = os.path.join(cls.tmp, 'trytond.conf')
        with open(conf, 'w') as file:
            file.write(
                '[database]\n'
                f'uri = {os.environ["TRYTOND_DATABASE_URI"]}\n'
                '[web]\n'
                f'listen = localhost:{port}\n')
        # Tryton 8 serves XML-RPC (and JSON-RPC) at /<database>/rpc/
        cls.url = f'http://localhost:{port}/{DB_NAME}/rpc/'
        trytond = os.path.join(os.path.dirname(sys.executable), 'trytond')
        with open(os.path.join(cls.tmp, 'trytond.out'), 'w') as output:
            cls.server = subprocess.Popen(
                [trytond, '-c', conf, '-d', DB_NAME, '--logconf', logconf],
                stdout=output, stderr=subprocess.STDOUT)
        cls.addClassCleanup(cls._stop_server)

        deadline = time.monotonic() + TIMEOUT
        while True:
            if cls.server.poll() is not None:
                raise RuntimeError(
                    f"trytond exited with {cls.server.returncode}:\n"
                    + cls._server_output())
            try:
                server = xmlrpc.client.ServerProxy(cls.url, allow_none=True)
                server.common.db.login(
                    'admin', {'password': cls.PASSWORD})
                break
            except ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    @classmethod
    def _stop_server(cls):
        cls.server.terminate()
        try:
            cls.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            cls.server.kill()
            cls.server.wait()

    @classmethod
    def _server_output(cls):
        text = ''
        for name in ['trytond.out', 'trytond.log']:
            path = os.path.join(cls.tmp, name)
            if os.path.exists(path):
                with open(path) as file:
                    text += file.read()[-5000:]
        return text

    def _retries(self):
        "Return how many requests the server has retried so far"
        with open(self.log) as file:
            return sum('Retry:' in line for line in file)

    def race(self, rounds):
        """Run each round's orders, one per worker, at the same moment and
        return the results of each round"""
        workers, errors = [], {}
        for i in range(self.WORKERS):
            errors[i] = os.path.join(self.tmp, f'{self.id()}-worker-{i}.err')
            with open(errors[i], 'w') as error:
                workers.append(subprocess.Popen(
                        [sys.executable, '-c', self.WORKER, self.url,
                            self.PASSWORD],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=error, text=True))

        def stop():
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                worker.wait()
                worker.stdin.close()
                worker.stdout.close()
        self.addCleanup(stop)

        def send(worker, line):
            worker.stdin.write(line + '\n')
            worker.stdin.flush()

        def receive(worker):
            ready, _, _ = select.select([worker.stdout], [], [], TIMEOUT)
            line = worker.stdout.readline() if ready else ''
            if not line:
                with open(errors[workers.index(worker)]) as error:
                    self.fail(
                        f"worker {worker.pid} does not answer:\n"
                        + error.read() + self._server_output())
            return line

        results = []
        for orders in rounds:
            self.assertEqual(len(orders), self.WORKERS)
            for worker, order in zip(workers, orders):
                send(worker, json.dumps(order))
            for worker in workers:
                self.assertEqual(receive(worker), 'ready\n')
            # The barrier: every worker waits for this line
            for worker in workers:
                send(worker, 'go')
            results.append([json.loads(receive(w)) for w in workers])
        for worker in workers:
            worker.stdin.close()
        for worker in workers:
            self.assertEqual(worker.wait(timeout=TIMEOUT), 0)
        return results

    def assertOneWinner(self, results, messages):
        """Assert that exactly one result has an id and that the others are
        user errors (fault code 1) with one of the messages, a function of
        the winner's id"""
        winners = [r['id'] for r in results if 'id' in r]
        self.assertEqual(len(winners), 1, msg=results)
        winner, = winners
        messages = messages(winner)
        for result in results:
            if 'id' in result:
                continue
            self.assertEqual(result['code'], 1, msg=result)
            # trytond sends a UserError as "message - description"
            self.assertTrue(
                any(result['error'].startswith(m + ' - ') for m in messages),
                msg=f"{result['error']!r} is none of {messages!r}")
        return winner

    @staticmethod
    def overlapped(results):
        "Whether every call started before the first one ended"
        return max(r['start'] for r in results) < min(
            r['end'] for r in results)
