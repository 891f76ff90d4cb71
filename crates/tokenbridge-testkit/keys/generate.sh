#!/bin/sh
# Regenerates the test-only fixture keys and their public JWKs. These keys are public test
# fixtures: never use them outside tests.
set -eu
cd "$(dirname "$0")"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa1.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec_p256.pem
openssl genpkey -algorithm Ed25519 -out ed25519.pem
for k in rsa1 rsa2 ec_p256 ed25519; do
    openssl pkey -in "$k.pem" -pubout -out "$k.pub.pem"
done
python3 jwk.py
# Self-signed certificates of the RSA keys (Microsoft Entra ID's certificate credentials name a
# certificate by its thumbprint), valid for a century so that tests never see them expire.
for k in rsa1 rsa2; do
    openssl req -x509 -new -key "$k.pem" -subj "/CN=tokenbridge test $k" -days 36500 -sha256 \
        -set_serial 1 -out "$k.crt.pem"
done
