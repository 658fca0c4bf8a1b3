# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Real servers for tests: a local SMTP server and a local SMS gateway;
the check that a module's translations are complete."""
import asyncio
import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import polib

import trytond.config as config
from trytond.modules import get_module_info
from trytond.pool import Pool

__all__ = [
    'free_port', 'SMTPServer', 'SMSGateway', 'untranslated_entries']


def untranslated_entries(module, lang):
    """Return the strings of the activated module (as Tryton exports them
    for translation) that its locale/<lang>.po lacks or leaves empty, and
    the entries of that file the module no longer has, as (context, text)
    pairs; to call inside a transaction"""
    pool = Pool()
    Translation = pool.get('ir.translation')
    TranslationSet = pool.get('ir.translation.set', type='wizard')
    # The strings of views and reports, as "Set Translations" collects them
    session_id, _, _ = TranslationSet.create()
    TranslationSet(session_id).transition_set_()
    TranslationSet.delete(session_id)
    source = polib.pofile(
        Translation.translation_export('en', module).decode('utf-8'))
    directory = Path(get_module_info(module)['directory'])
    translation = polib.pofile(str(directory / 'locale' / f'{lang}.po'))
    wanted = {(e.msgctxt, e.msgid) for e in source}
    done = {(e.msgctxt, e.msgid) for e in translation
        if e.translated() and not e.obsolete}
    present = {(e.msgctxt, e.msgid) for e in translation}
    return sorted(wanted - done), sorted(present - wanted)


def free_port():
    "Return a TCP port of localhost that nothing listens on"
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class SMTPServer:
    """An aiosmtpd server on localhost that keeps what it receives.

    It refuses the messages with the answer set in `refuse_with`, as
    '554 5.7.1 Rejected', the recipients that are keys of `refused` with
    their answer, and gives the answers listed in `next_answers` to the
    next messages first.  Tryton's [email] uri is pointed at it while it
    runs."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.messages = []
        self.delay = 0
        self.refuse_with = None
        self.refused = {}
        self.next_answers = []
        self._controller = None

    @property
    def uri(self):
        return f'smtp://127.0.0.1:{self.port}'

    def start(self):
        from aiosmtpd.controller import Controller

        server = self

        class Handler:
            async def handle_RCPT(
                    self, smtp, session, envelope, address, options):
                if address in server.refused:
                    return server.refused[address]
                envelope.rcpt_tos.append(address)
                return '250 OK'

            async def handle_DATA(self, smtp, session, envelope):
                if server.delay:
                    await asyncio.sleep(server.delay)
                if server.next_answers:
                    return server.next_answers.pop(0)
                if server.refuse_with:
                    return server.refuse_with
                message = email.message_from_bytes(
                    envelope.content, policy=email.policy.default)
                server.messages.append({
                        'from': envelope.mail_from,
                        'to': list(envelope.rcpt_tos),
                        'message': message,
                        })
                return '250 Message accepted for delivery'

        self._controller = Controller(
            Handler(), hostname='127.0.0.1', port=self.port)
        self._controller.start()
        config.set('email', 'uri', self.uri)
        return self

    def stop(self):
        if self._controller:
            self._controller.stop()
            self._controller = None


class SMSGateway:
    """An HTTP SMS gateway on localhost that keeps what it receives.

    It answers like a real gateway: 202 with an id when the bearer key
    matches, 401 otherwise, or the status set in `fail_with`.
    The [dms_sms] section of Tryton's configuration is pointed at it."""

    def __init__(self, key='test-key', port=None):
        self.key = key
        self.port = port or free_port()
        self.received = []
        self.fail_with = None
        self._server = None

    @property
    def url(self):
        return f'http://127.0.0.1:{self.port}/sms'

    def start(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get('Content-Length', 0))
                payload = json.loads(self.rfile.read(length) or b'{}')
                if gateway.fail_with:
                    status, answer = gateway.fail_with, {
                        'error': "gateway failure"}
                elif (self.headers.get('Authorization')
                        != f'Bearer {gateway.key}'):
                    status, answer = 401, {'error': "invalid key"}
                else:
                    gateway.received.append({
                            'path': self.path,
                            'payload': payload,
                            })
                    status, answer = 202, {
                        'id': f'sms-{len(gateway.received)}'}
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(('127.0.0.1', self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True
            ).start()
        if not config.has_section('dms_sms'):
            config.add_section('dms_sms')
        config.set('dms_sms', 'url', self.url)
        config.set('dms_sms', 'key', self.key)
        config.set('dms_sms', 'sender', 'DMS')
        config.set('dms_sms', 'timeout', '5')
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
