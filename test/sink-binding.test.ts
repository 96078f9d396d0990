// lib/sink-binding.ts: the SinkBinding's K_CE_OVERRIDES and K_CA_CERTS, as both event producers read them.
import { describe, expect, it } from 'vitest';
import { ceExtensions, hasPemCertificate, parseCeOverrides } from '../lib/sink-binding.ts';

describe('K_CE_OVERRIDES', () => {
  it('reads the extensions of a SinkBinding ceOverrides, and nothing from an unset or empty variable', () => {
    expect(parseCeOverrides('{"extensions":{"cluster":"prod-eu1","tier":"1"}}')).toEqual({ cluster: 'prod-eu1', tier: '1' });
    expect(parseCeOverrides('{}')).toEqual({});
    expect(parseCeOverrides('{"extensions":null}')).toEqual({});
    expect(parseCeOverrides(undefined)).toEqual({});
    expect(parseCeOverrides('  ')).toEqual({});
  });

  it.each([
    ['not JSON', '{extensions', 'not JSON (expected {"extensions": {"name": "value"}})'],
    ['a list', '[1]', 'expected a JSON object {"extensions": {...}}'],
    ['extensions a string', '{"extensions":"x"}', 'extensions: expected a mapping of name: string value'],
    ['an upper-case name', '{"extensions":{"Cluster":"a"}}', 'extensions.Cluster: a CloudEvents attribute name is 1-20 lower-case letters and digits'],
    ['a name over 20 characters', '{"extensions":{"abcdefghijklmnopqrstu":"a"}}', 'extensions.abcdefghijklmnopqrstu: a CloudEvents attribute name is 1-20 lower-case letters and digits'],
    ['a core attribute', '{"extensions":{"type":"a"}}', 'extensions.type: a core CloudEvents attribute cannot be overridden'],
    ['a number value', '{"extensions":{"tier":1}}', 'extensions.tier: expected a string value, got number'],
    ['a value with a newline', '{"extensions":{"x":"a\\r\\nset-cookie: y"}}', `extensions.x: only printable ASCII without spaces, '"' or '%' is supported (the value goes into a ce-x header)`],
    ['a non-ASCII value', '{"extensions":{"x":"zürich"}}', `extensions.x: only printable ASCII without spaces, '"' or '%' is supported (the value goes into a ce-x header)`],
  ])('refuses %s, saying why', (_name, text, message) => {
    expect(() => parseCeOverrides(text)).toThrow(message);
  });

  it('validates a written mapping by the same rules, under its own path', () => {
    expect(ceExtensions({ region: 'eu-west-1' }, 'sink.extensions')).toEqual({ region: 'eu-west-1' });
    expect(() => ceExtensions({ id: 'x' }, 'sink.extensions')).toThrow('sink.extensions.id: a core CloudEvents attribute cannot be overridden');
  });
});

describe('K_CA_CERTS', () => {
  it('holds a certificate only with both PEM markers', () => {
    expect(hasPemCertificate('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')).toBe(true);
    expect(hasPemCertificate('-----BEGIN CERTIFICATE-----\nMIIB')).toBe(false);
    expect(hasPemCertificate('-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----')).toBe(false);
  });
});
