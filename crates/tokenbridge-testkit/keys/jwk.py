"""Writes <key>.jwk.json: the public JWK parameters of each fixture key, read with openssl."""
import base64, json, re, subprocess

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def text(path):
    return subprocess.run(["openssl", "pkey", "-in", path, "-noout", "-text_pub"],
                          check=True, capture_output=True, text=True).stdout

def hexblock(t, label):
    m = re.search(label + r":\s*\n((?:\s+[0-9a-f:]+\n)+)", t)
    return bytes.fromhex(re.sub(r"[\s:]", "", m.group(1)))

def der_tail(path, n):
    der = subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return der[-n:]

out = {}
for k in ["rsa1", "rsa2"]:
    t = text(k + ".pem")
    n = hexblock(t, "Modulus").lstrip(b"\x00")
    e = int(re.search(r"Exponent: (\d+)", t).group(1))
    out[k] = {"kty": "RSA", "n": b64u(n), "e": b64u(e.to_bytes((e.bit_length() + 7) // 8, "big"))}
pub = der_tail("ec_p256.pem", 65)
assert pub[0] == 4
out["ec_p256"] = {"kty": "EC", "crv": "P-256", "x": b64u(pub[1:33]), "y": b64u(pub[33:])}
out["ed25519"] = {"kty": "OKP", "crv": "Ed25519", "x": b64u(der_tail("ed25519.pem", 32))}
for k, v in out.items():
    with open(k + ".jwk.json", "w") as f:
        json.dump(v, f, indent=2, sort_keys=True)
        f.write("\n")
