# SPDX-License-Identifier: GPL-2.0-only
"""The TLS the tls-connect-storm workload speaks, and its throwaway certificates.

What AWS IoT Core devices use (doc/capacity.md, "Workloads"): the device certificate AWS IoT
makes (CreateKeysAndCertificate, the console's "auto-generate") holds an RSA 2048 key, the
iot:Data-ATS endpoint presents an RSA 2048 chain to an RSA suite, a client certificate is
required (mutual TLS on 8883), and embedded stacks (coreMQTT on mbed TLS, ESP-MQTT) speak TLS
1.2, which the default security policy (IoTSecurityPolicy_TLS13_1_2_2022_10) accepts next to
1.3. So: RSA 2048 keys for the CA, the broker and the device, TLS 1.2 only, the policy's first
TLS 1.2 suite ECDHE-RSA-AES128-GCM-SHA256, a full handshake every time (no session offered).

The keys are made at run time with the openssl command in a temporary directory and deleted
with it: no key material is ever committed or kept.
"""

import os
import broker_process
import ssl
import subprocess
import tempfile

KEY = "rsa:2048"
VERSION = ssl.TLSVersion.TLSv1_2
CIPHER = "ECDHE-RSA-AES128-GCM-SHA256"
# What the calibration file's header says of it.
DESCRIPTION = ("TLS 1.2 full handshakes (no resumption), %s, RSA 2048 keys (broker, device and "
               "a throwaway CA made at run time), client certificate required: what AWS IoT "
               "Core devices use (doc/capacity.md)" % CIPHER)


def _openssl(*args, cwd):
    run = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True, text=True,
                         timeout=60)
    if run.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (" ".join(args), run.stderr.strip()))


class Material:
    """A CA, a broker certificate for 127.0.0.1 and a device certificate, in a temporary
    directory that exists as long as the object (`with Material() as m: m.cafile ...`)."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="mqtt-calibrate-tls-")
        d = self.tmp.name
        self.cafile = os.path.join(d, "ca.crt")
        self.certfile = os.path.join(d, "broker.crt")
        self.keyfile = os.path.join(d, "broker.key")
        self.device_cert = os.path.join(d, "device.crt")
        self.device_key = os.path.join(d, "device.key")
        with open(os.path.join(d, "ext"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\n")
        _openssl("req", "-x509", "-newkey", KEY, "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                 "-subj", "/CN=calibrate-ca", "-days", "2", cwd=d)
        for name in ("broker", "device"):
            _openssl("req", "-newkey", KEY, "-nodes", "-keyout", name + ".key", "-out",
                     name + ".csr", "-subj", "/CN=" + name, cwd=d)
            _openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                     "-CAcreateserial", "-days", "2", "-out", name + ".crt", "-extfile", "ext",
                     cwd=d)

    def readable_by(self, user):
        """Hands the files to @p user (a broker that drops root for it, as mosquitto does for
        `mosquitto`, reads them after it did); nothing when we are not root or it is unknown."""
        d = self.tmp.name
        broker_process.hand_to(user, [d] + [os.path.join(d, f) for f in os.listdir(d)])

    def client_context(self):
        """The device's side: TLS 1.2 only, the one suite, the broker checked against the CA."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = VERSION
        ctx.maximum_version = VERSION
        ctx.set_ciphers(CIPHER)
        ctx.load_verify_locations(self.cafile)
        ctx.load_cert_chain(self.device_cert, self.device_key)
        return ctx

    def close(self):
        self.tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
