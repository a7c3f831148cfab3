import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** An AsyncAPI 3.0 document: the app publishes `pubsub/orders` (an Order, whose Money lives in another file). */
export const ORDERS_ASYNCAPI = `asyncapi: 3.0.0
info:
  title: orders
  version: 1.0.0
channels:
  orders:
    address: pubsub/orders
    messages:
      order:
        $ref: '#/components/messages/Order'
operations:
  publishOrder:
    action: send
    channel:
      $ref: '#/channels/orders'
components:
  messages:
    Order:
      name: Order
      payload:
        $ref: '#/components/schemas/Order'
  schemas:
    Order:
      type: object
      required: [id, total]
      properties:
        id: { type: string, minLength: 1 }
        total:
          $ref: './common.yaml#/Money'
`;

export const COMMON_SCHEMAS = `Money:
  type: object
  required: [amount, currency]
  properties:
    amount: { type: number, minimum: 0 }
    currency: { type: string, pattern: '^[A-Z]{3}$' }
`;

/** An OpenAPI 3.1 document of the app `orders-svc`: `GET /orders/{id}` and `POST /orders`. */
export const ORDERS_OPENAPI = `openapi: 3.1.0
info:
  title: orders-svc
  version: 1.0.0
paths:
  /orders/{id}:
    get:
      operationId: getOrder
      parameters:
        - { name: id, in: path, required: true, schema: { type: integer, minimum: 1 } }
        - { name: verbose, in: query, schema: { type: boolean } }
      responses:
        '200':
          description: the order
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Order' }
  /orders/latest:
    get:
      responses:
        '200': { description: the latest order }
  /orders:
    post:
      parameters:
        - { name: x-tenant, in: header, required: true, schema: { type: string, minLength: 2 } }
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Order' }
      responses:
        '201': { description: created }
components:
  schemas:
    Order:
      type: object
      required: [id]
      properties:
        id: { type: integer }
        item: { type: string }
`;

export function contract(name: string, spec: string, scopes?: string[]): string {
  return `apiVersion: mecha.io/v1alpha1
kind: Contract
metadata:
  name: ${name}
${scopes ? `scopes: [${scopes.join(', ')}]\n` : ''}spec:
${spec.replace(/^/gm, '  ')}
`;
}

/** Writes the AsyncAPI and OpenAPI documents under `<dir>/contracts/` (not a resources folder of their own). */
export function writeContractDocuments(dir: string): void {
  mkdirSync(join(dir, 'contracts'), { recursive: true });
  writeFileSync(join(dir, 'contracts', 'orders.asyncapi.yaml'), ORDERS_ASYNCAPI);
  writeFileSync(join(dir, 'contracts', 'common.yaml'), COMMON_SCHEMAS);
  writeFileSync(join(dir, 'contracts', 'orders.openapi.yaml'), ORDERS_OPENAPI);
}
