// Re-encrypt Node-RED's flow credentials file with a new credentialSecret.
//
//   node recrypt-credentials.js FLOWS_CRED_JSON < {"old": "...", "new": "..."}
//
// The secrets come on standard input so they never appear in a process list.
// Node-RED (runtime/lib/nodes/credentials.js) encrypts the credentials object
// with aes-256-ctr under the SHA-256 of credentialSecret and stores
// {"$": hex(iv) + base64(ciphertext)}. The new file replaces the old one by
// rename, keeping its owner and mode; on any error the old file is untouched.
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ALGORITHM = "aes-256-ctr";

function keyFor(secret) {
    return crypto.createHash("sha256").update(secret).digest();
}

function decrypt(secret, stored) {
    const text = stored.$;
    if (typeof text !== "string" || text.length < 32) {
        throw new Error("the file holds no encrypted credentials (no \"$\" entry)");
    }
    const iv = Buffer.from(text.substring(0, 32), "hex");
    const decipher = crypto.createDecipheriv(ALGORITHM, keyFor(secret), iv);
    const plain = decipher.update(text.substring(32), "base64", "utf8") + decipher.final("utf8");
    try {
        return JSON.parse(plain);
    } catch (error) {
        throw new Error("the old secret does not decrypt the credentials");
    }
}

function encrypt(secret, credentials) {
    const iv = crypto.randomBytes(16);
    const cipher = crypto.createCipheriv(ALGORITHM, keyFor(secret), iv);
    const body = cipher.update(JSON.stringify(credentials), "utf8", "base64") + cipher.final("base64");
    return { $: iv.toString("hex") + body };
}

function main() {
    const file = process.argv[2];
    const secrets = JSON.parse(fs.readFileSync(0, "utf8"));
    if (!file || typeof secrets.old !== "string" || typeof secrets.new !== "string") {
        throw new Error("usage: recrypt-credentials.js FILE < {\"old\": SECRET, \"new\": SECRET}");
    }

    const credentials = decrypt(secrets.old, JSON.parse(fs.readFileSync(file, "utf8")));
    const stat = fs.statSync(file);
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    fs.writeFileSync(temporary, JSON.stringify(encrypt(secrets.new, credentials), null, 4) + "\n", { mode: 0o600 });
    fs.chownSync(temporary, stat.uid, stat.gid);
    fs.chmodSync(temporary, stat.mode & 0o777);
    fs.renameSync(temporary, file);
}

try {
    main();
} catch (error) {
    process.stderr.write(`recrypt-credentials: ${error.message}\n`);
    process.exit(1);
}
