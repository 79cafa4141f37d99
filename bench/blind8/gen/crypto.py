"""stdlib-only JWT helpers: HS256 and RS256 (RSA keygen with Miller-Rabin, PKCS#1 v1.5 signing with CRT)."""
import base64, hashlib, hmac, json


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64u_int(n):
    return b64u(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def _is_probable_prime(n, rnd, k=24):
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2; s += 1
    for _ in range(k):
        a = rnd.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits, rnd):
    while True:
        c = rnd.getrandbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if _is_probable_prime(c, rnd):
            return c


class RSAKey:
    def __init__(self, rnd, bits=2048, e=65537):
        while True:
            p = _prime(bits // 2, rnd); q = _prime(bits // 2, rnd)
            if p == q:
                continue
            phi = (p - 1) * (q - 1)
            try:
                d = pow(e, -1, phi)
            except ValueError:
                continue
            n = p * q
            if n.bit_length() != bits:
                continue
            break
        self.n, self.e, self.d, self.p, self.q = n, e, d, p, q
        self.dp, self.dq, self.qinv = d % (p - 1), d % (q - 1), pow(q, -1, p)
        self.k = (n.bit_length() + 7) // 8

    def sign_sha256(self, msg):
        h = hashlib.sha256(msg).digest()
        t = bytes.fromhex("3031300d060960864801650304020105000420") + h
        em = b"\x00\x01" + b"\xff" * (self.k - len(t) - 3) + b"\x00" + t
        m = int.from_bytes(em, "big")
        m1 = pow(m, self.dp, self.p); m2 = pow(m, self.dq, self.q)
        hh = (self.qinv * (m1 - m2)) % self.p
        s = m2 + hh * self.q
        return s.to_bytes(self.k, "big")

    def jwk(self, kid):
        return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64u_int(self.n), "e": b64u_int(self.e)}


def jwt(header, payload, hs_secret=None, rsa=None):
    h = b64u(json.dumps(header, separators=(",", ":")).encode())
    p = b64u(json.dumps(payload, separators=(",", ":")).encode())
    si = (h + "." + p).encode()
    if header["alg"] == "HS256":
        sig = hmac.new(hs_secret.encode(), si, hashlib.sha256).digest()
    elif header["alg"] == "RS256":
        sig = rsa.sign_sha256(si)
    else:
        sig = b""
    return h + "." + p + "." + b64u(sig)
