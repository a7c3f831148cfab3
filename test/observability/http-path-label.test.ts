import { describe, expect, it } from 'vitest';
import { HttpPathLabeler, metricsMethod } from '../../src/observability/http-path-label.js';

describe('the path label of the HTTP server metrics', () => {
  it('by default keeps the path but drops state and secret keys and actor ids', () => {
    const l = new HttpPathLabeler();
    expect(l.label('/v1.0/state/statestore/key-1')).toBe('/v1.0/state/statestore');
    expect(l.label('/v1.0/state/statestore')).toBe('/v1.0/state/statestore');
    expect(l.label('/v1.0/secrets/vault/db-password')).toBe('/v1.0/secrets/vault');
    expect(l.label('/v1.0/actors/Cart/cart-7/method/add')).toBe('/v1.0/actors/Cart/{id}/method');
    expect(l.label('/v1.0/invoke/orders/method/orders/42')).toBe('/v1.0/invoke/orders/method/orders/42');
    expect(l.label('/v1.0/publish/pubsub/orders')).toBe('/v1.0/publish/pubsub/orders');
  });

  it('without increased cardinality or patterns leaves the path out', () => {
    expect(new HttpPathLabeler({ increasedCardinality: false }).label('/v1.0/state/statestore/k')).toBe('');
  });

  it('with patterns and increased cardinality: the most specific pattern, else the usual label', () => {
    const l = new HttpPathLabeler({ pathMatching: ['/v1/orders/{orderID}/items/12345', '/v1/orders/{orderID}/items/{itemID}', '/v1/items/{itemID}'] });
    expect(l.label('/v1/orders/12345/items/12345')).toBe('/v1/orders/{orderID}/items/12345');
    expect(l.label('/v1/orders/12345/items/1111')).toBe('/v1/orders/{orderID}/items/{itemID}');
    expect(l.label('/v1/items/12345')).toBe('/v1/items/{itemID}');
    expect(l.label('/v1.0/invoke/shop/method/v1/items/9')).toBe('/v1.0/invoke/{app_id}/method/v1/items/{itemID}');
    expect(l.label('/v2/basket/12345')).toBe('/v2/basket/12345');
  });

  it('with patterns only: prefixes and the root catch the rest, app callback paths stay as they are', () => {
    const l = new HttpPathLabeler({ increasedCardinality: false, pathMatching: ['/v1/orders/{orderID}', '/dapr/config', '/v1/', '/'] });
    expect(l.label('/v1/orders/12345')).toBe('/v1/orders/{orderID}');
    expect(l.label('/v1/basket')).toBe('/v1/');
    expect(l.label('/v2/orders/1111')).toBe('/');
    expect(l.label('/dapr/config')).toBe('/dapr/config');
  });

  it('matches an actor pattern against the low-cardinality form of the path', () => {
    const patterns = ['/v1.0/actors/myactortype/{id}/method'];
    expect(new HttpPathLabeler({ pathMatching: patterns }).label('/v1.0/actors/myactortype/myid/method/foo')).toBe('/v1.0/actors/myactortype/{id}/method');
    const strict = new HttpPathLabeler({ pathMatching: patterns, increasedCardinality: false });
    expect(strict.label('//v1.0/actors/myactortype/myid/method/foo')).toBe('/v1.0/actors/myactortype/{id}/method');
    expect(strict.label('//v1.0/actors/unknown/myid/method/foo')).toBe('');
  });

  it('labels the method as daprd does', () => {
    expect(metricsMethod('GET', false)).toBe('GET');
    expect(metricsMethod('PURGE', false)).toBe('UNKNOWN');
    expect(metricsMethod('GET', true)).toBe('');
  });
});
