// Run calls of the npm package docker-hub-api (as installed from package-lock.json) against a
// hubindex, one after the other, and print what each answered, as JSON.
//
// stdin: {"url": "http://127.0.0.1:PORT", "calls": [["label", "function", arg, ...], ...]}
// stdout: {"label": {"value": ...} or {"error": "..."}, ...}
//
// An argument {"from": "label", "field": "id"} is that field of an earlier call's value.
//
// The package calls the hard-coded https://hub.docker.com/v2/: every request's parameters are
// made by its own exported makeRequestParams, so that one function is wrapped here, in this
// process's memory, to put the index's address in its place. Nothing else of the package is
// changed (its files on disk are as npm installed them). Its 300-second cache of GET answers
// is turned off with its own setCacheOptions, so that a list read again after a change is
// asked of the index.
'use strict';

const api = require('docker-hub-api');

const HUB = 'https://hub.docker.com';

function pointAt(url) {
    const made = api.makeRequestParams;
    api.makeRequestParams = function(...args) {
        const params = made.apply(this, args);
        if (!params.url.startsWith(HUB + '/')) {
            throw new Error(`unexpected URL ${params.url}`);
        }
        params.url = url + params.url.slice(HUB.length);
        return params;
    };
}

function argument(value, results) {
    if (value && typeof value === 'object' && 'from' in value) {
        return results[value.from].value[value.field];
    }
    return value;
}

async function main() {
    const chunks = [];
    for await (const chunk of process.stdin) {
        chunks.push(chunk);
    }
    const { url, calls } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    pointAt(url);
    api.setCacheOptions({ enabled: false });
    const results = {};
    for (const [label, name, ...args] of calls) {
        try {
            const value = await api[name](...args.map((a) => argument(a, results)));
            results[label] = { value: value === undefined ? null : value };
        } catch (error) {
            results[label] = { error: String(error && error.message ? error.message : error) };
        }
    }
    process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
    process.stderr.write(String(error && error.stack ? error.stack : error) + '\n');
    process.exit(1);
});
