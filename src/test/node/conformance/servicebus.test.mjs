// Service Bus conformance: Azure's JavaScript SDK (@azure/service-bus, AMQP over rhea), a client sfcache does not
// use, against whatever SERVICEBUS_CONNECTION_STRING points at (the stand-in, when run by MessagingConformanceTest).
// Each test uses a queue of its own; the stand-in creates queues on first use (a real namespace needs them created).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ServiceBusClient } from "@azure/service-bus";
import { connectionString, TEST_OPTIONS, closeQuietly, uniqueName, waitFor, within } from "./lib/messaging.mjs";

let client;

before(() => {
  client = new ServiceBusClient(connectionString("SERVICEBUS_CONNECTION_STRING"), {
    // A failing call should fail the test quickly, not retry for a minute.
    retryOptions: { maxRetries: 1, timeoutInMs: 4_000 },
  });
});

after(async () => {
  await closeQuietly("the Service Bus client", client);
});

/** Receives until `count` messages arrived or the deadline passed; never waits a fixed time. */
async function receive(receiver, count, what = `${count} message(s)`) {
  const received = [];
  await waitFor(`receiving ${what}`, async () => {
    const batch = await within(
      "receiveMessages",
      receiver.receiveMessages(count - received.length, { maxWaitTimeInMs: 1_000 }),
    );
    received.push(...batch);
    return received.length >= count;
  });
  return received;
}

async function send(queue, messages) {
  const sender = client.createSender(queue);
  try {
    await within(`sending to ${queue}`, sender.sendMessages(messages));
  } finally {
    await closeQuietly("the sender", sender);
  }
}

/** A peek-lock receiver without background lock renewal, so the test alone decides when locks are renewed. */
function peekLockReceiver(queue, options = {}) {
  return client.createReceiver(queue, { receiveMode: "peekLock", maxAutoLockRenewalDurationInMs: 0, ...options });
}

describe("Service Bus queue", () => {
  // One send first: if the connection, the CBS handshake or the link does not work, every test fails at once with
  // this hook's error instead of each waiting for its own timeout.
  before(() => send(uniqueName("sb-preflight"), { body: "preflight" }));

  test(
    "send and peek-lock receive: message id, application properties, body and broker properties round trip",
    TEST_OPTIONS,
    async () => {
      const queue = uniqueName("sb-roundtrip");
      const sentAt = Date.now();
      await send(queue, {
        messageId: "msg-001",
        body: { recordId: "001000000000001AAA", sobject: "Account", fields: { Name: "Acme", Employees: 42 } },
        contentType: "application/json",
        correlationId: "corr-1",
        subject: "Account",
        applicationProperties: { sobject: "Account", attempt: 3, replay: true },
      });
      const receiver = peekLockReceiver(queue);
      try {
        const [message] = await receive(receiver, 1);
        assert.equal(message.messageId, "msg-001");
        assert.deepEqual(message.body, {
          recordId: "001000000000001AAA",
          sobject: "Account",
          fields: { Name: "Acme", Employees: 42 },
        });
        assert.equal(message.contentType, "application/json");
        assert.equal(message.correlationId, "corr-1");
        assert.equal(message.subject, "Account");
        assert.deepEqual(message.applicationProperties, { sobject: "Account", attempt: 3, replay: true });
        // First delivery: delivery count 0 (the SDK's own live tests assert the same, e.g.
        // azure-sdk-for-js sdk/servicebus/service-bus/test: `should.equal(msgs[0].deliveryCount, 0)`).
        assert.equal(message.deliveryCount, 0);
        // The broker stamps a sequence number, the enqueued time and, in peek-lock, a lock token and its expiry.
        // https://learn.microsoft.com/en-us/azure/service-bus-messaging/message-transfers-locks-settlement#peeklock
        assert.ok(message.sequenceNumber !== undefined, "sequence number set");
        assert.ok(message.enqueuedTimeUtc.getTime() >= sentAt - 1_000, "enqueued time is the send time");
        assert.match(message.lockToken, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.ok(message.lockedUntilUtc.getTime() > Date.now(), "lock expires in the future");

        await within("completeMessage", receiver.completeMessage(message));
        // Completed messages are gone; peek (which also shows locked messages) finds nothing.
        // https://learn.microsoft.com/en-us/azure/service-bus-messaging/message-browsing
        assert.deepEqual(
          await within("peekMessages", receiver.peekMessages(10, { fromSequenceNumber: message.sequenceNumber })),
          [],
        );
      } finally {
        await closeQuietly("the receiver", receiver);
      }
    },
  );

  test("batch send: every message arrives once, in order, with increasing sequence numbers", TEST_OPTIONS, async () => {
    const queue = uniqueName("sb-batch");
    const sender = client.createSender(queue);
    try {
      const batch = await within("createMessageBatch", sender.createMessageBatch());
      for (let i = 0; i < 10; i++) {
        assert.ok(batch.tryAddMessage({ messageId: `b-${i}`, body: `event ${i}` }), `message ${i} fits the batch`);
      }
      await within("sending the batch", sender.sendMessages(batch));
      // An array is sent as one batched transfer as well.
      await within(
        "sending an array",
        sender.sendMessages([
          { messageId: "b-10", body: "event 10" },
          { messageId: "b-11", body: "event 11" },
        ]),
      );
    } finally {
      await closeQuietly("the sender", sender);
    }
    const receiver = peekLockReceiver(queue);
    try {
      const messages = await receive(receiver, 12);
      assert.deepEqual(
        messages.map((m) => m.messageId),
        Array.from({ length: 12 }, (_, i) => `b-${i}`),
      );
      assert.deepEqual(
        messages.map((m) => m.body),
        Array.from({ length: 12 }, (_, i) => `event ${i}`),
      );
      // Sequence numbers are unique and increase in the order the broker accepted the messages.
      // https://learn.microsoft.com/en-us/azure/service-bus-messaging/message-sequencing
      const sequence = messages.map((m) => m.sequenceNumber.toNumber());
      assert.deepEqual(
        sequence,
        [...sequence].sort((a, b) => a - b),
      );
      assert.equal(new Set(sequence).size, 12);
      for (const message of messages) {
        await within("completeMessage", receiver.completeMessage(message));
      }
    } finally {
      await closeQuietly("the receiver", receiver);
    }
  });

  test(
    "abandon: the message comes back with its delivery count + 1 and the modified properties",
    TEST_OPTIONS,
    async () => {
      const queue = uniqueName("sb-abandon");
      await send(queue, { messageId: "a-1", body: "retry me", applicationProperties: { sobject: "Contact" } });
      const receiver = peekLockReceiver(queue);
      try {
        const [first] = await receive(receiver, 1);
        assert.equal(first.deliveryCount, 0);
        await within("abandonMessage", receiver.abandonMessage(first, { lastError: "cosmos timeout" }));
        // Abandon releases the lock and increments the delivery count.
        // https://learn.microsoft.com/en-us/azure/service-bus-messaging/message-transfers-locks-settlement#settling-receive-operations
        const [again] = await receive(receiver, 1, "the abandoned message");
        assert.equal(again.messageId, "a-1");
        assert.equal(again.deliveryCount, 1);
        assert.equal(
          again.sequenceNumber.toString(),
          first.sequenceNumber.toString(),
          "same message, same sequence number",
        );
        assert.deepEqual(again.applicationProperties, { sobject: "Contact", lastError: "cosmos timeout" });
        await within("completeMessage", receiver.completeMessage(again));
      } finally {
        await closeQuietly("the receiver", receiver);
      }
    },
  );

  test(
    "dead-letter with reason and description; the message is received from the dead-letter queue",
    TEST_OPTIONS,
    async () => {
      const queue = uniqueName("sb-deadletter");
      await send(queue, { messageId: "d-1", body: { bad: true }, applicationProperties: { sobject: "Lead" } });
      const receiver = peekLockReceiver(queue);
      const deadLetters = peekLockReceiver(queue, { subQueueType: "deadLetter" });
      try {
        const [message] = await receive(receiver, 1);
        await within(
          "deadLetterMessage",
          receiver.deadLetterMessage(message, {
            deadLetterReason: "ContractViolation",
            deadLetterErrorDescription: "sobject Lead is not monitored",
          }),
        );
        assert.deepEqual(await within("peekMessages", receiver.peekMessages(10)), [], "gone from the queue");

        // The reason and description travel with the message into <queue>/$deadletterqueue.
        // https://learn.microsoft.com/en-us/azure/service-bus-messaging/service-bus-dead-letter-queues
        const [dead] = await receive(deadLetters, 1, "the dead-lettered message");
        assert.equal(dead.messageId, "d-1");
        assert.deepEqual(dead.body, { bad: true });
        assert.equal(dead.deadLetterReason, "ContractViolation");
        assert.equal(dead.deadLetterErrorDescription, "sobject Lead is not monitored");
        assert.equal(dead.applicationProperties.sobject, "Lead");
        assert.equal(dead.sequenceNumber.toString(), message.sequenceNumber.toString(), "keeps its sequence number");
        // Messages are removed from the dead-letter queue by completing them there.
        // https://learn.microsoft.com/en-us/azure/service-bus-messaging/service-bus-dead-letter-queues
        await within("completeMessage on the dead-letter queue", deadLetters.completeMessage(dead));
        assert.deepEqual(await within("peekMessages on the dead-letter queue", deadLetters.peekMessages(10)), []);
      } finally {
        await closeQuietly("the receivers", receiver, deadLetters);
      }
    },
  );

  test("peek: messages are browsed without a lock and without counting a delivery", TEST_OPTIONS, async () => {
    const queue = uniqueName("sb-peek");
    await send(
      queue,
      ["p-0", "p-1", "p-2"].map((id) => ({ messageId: id, body: id })),
    );
    const receiver = peekLockReceiver(queue);
    try {
      const peeked = await within("peekMessages", receiver.peekMessages(10));
      assert.deepEqual(
        peeked.map((m) => m.messageId),
        ["p-0", "p-1", "p-2"],
      );
      // Peeked messages carry no lock token.
      // https://learn.microsoft.com/en-us/azure/service-bus-messaging/message-browsing
      assert.ok(
        peeked.every((m) => m.lockToken === undefined),
        "no lock token on peeked messages",
      );
      assert.ok(
        peeked.every((m) => m.deliveryCount === 0),
        "peek counts no delivery",
      );

      // From a sequence number: that message and the ones after it.
      const fromSecond = await within(
        "peekMessages from a sequence number",
        receiver.peekMessages(10, { fromSequenceNumber: peeked[1].sequenceNumber }),
      );
      assert.deepEqual(
        fromSecond.map((m) => m.messageId),
        ["p-1", "p-2"],
      );

      // Still all there to receive, first delivery.
      const received = await receive(receiver, 3);
      assert.deepEqual(
        received.map((m) => [m.messageId, m.deliveryCount]),
        [
          ["p-0", 0],
          ["p-1", 0],
          ["p-2", 0],
        ],
      );
      // Peek also returns locked messages.
      // https://learn.microsoft.com/en-us/azure/service-bus-messaging/message-browsing
      const whileLocked = await within(
        "peekMessages while locked",
        receiver.peekMessages(10, { fromSequenceNumber: peeked[0].sequenceNumber }),
      );
      assert.equal(whileLocked.length, 3);
      for (const message of received) {
        await within("completeMessage", receiver.completeMessage(message));
      }
    } finally {
      await closeQuietly("the receiver", receiver);
    }
  });

  test("defer: the message is set aside, and peek still shows it as deferred", TEST_OPTIONS, async () => {
    const queue = uniqueName("sb-defer");
    await send(queue, [
      { messageId: "f-1", body: "later" },
      { messageId: "f-2", body: "now" },
    ]);
    const receiver = peekLockReceiver(queue);
    try {
      const [later, now] = await receive(receiver, 2);
      await within("deferMessage", receiver.deferMessage(later));
      await within("completeMessage", receiver.completeMessage(now));
      // Deferred messages stay in the queue and peek returns them.
      // https://learn.microsoft.com/en-us/azure/service-bus-messaging/message-browsing
      const peeked = await within(
        "peekMessages",
        receiver.peekMessages(10, { fromSequenceNumber: later.sequenceNumber }),
      );
      assert.deepEqual(
        peeked.map((m) => [m.messageId, m.state]),
        [["f-1", "deferred"]],
      );
    } finally {
      await closeQuietly("the receiver", receiver);
    }
  });

  test(
    "lock renewal moves the lock expiry forward; renewing a settled message's lock fails with MessageLockLost",
    TEST_OPTIONS,
    async () => {
      const queue = uniqueName("sb-renew");
      await send(queue, { messageId: "r-1", body: "long work" });
      const receiver = peekLockReceiver(queue);
      try {
        const [message] = await receive(receiver, 1);
        const firstExpiry = message.lockedUntilUtc.getTime();
        // The lock was granted before this instant; renewing a few milliseconds later must end later.
        const receivedAt = Date.now();
        await waitFor("the clock to move on", () => Date.now() >= receivedAt + 5);
        const renewed = await within("renewMessageLock", receiver.renewMessageLock(message));
        // Renewal resets the lock to the queue's lock duration from now.
        // https://learn.microsoft.com/en-us/azure/service-bus-messaging/message-transfers-locks-settlement#renew-locks
        assert.ok(
          renewed.getTime() > firstExpiry,
          `renewed expiry ${renewed.toISOString()} after ${new Date(firstExpiry).toISOString()}`,
        );
        assert.equal(
          message.lockedUntilUtc.getTime(),
          renewed.getTime(),
          "the SDK updates the message's lockedUntilUtc",
        );
        await within("completeMessage after renewal", receiver.completeMessage(message));

        // A lock that no longer exists: the service answers with message-lock-lost (410), the SDK's MessageLockLost.
        // https://learn.microsoft.com/en-us/javascript/api/@azure/service-bus/servicebuserror (code MessageLockLost)
        await assert.rejects(
          within("renewMessageLock of a completed message", receiver.renewMessageLock(message)),
          (error) =>
            error.code === "MessageLockLost" ||
            assert.fail(`expected MessageLockLost, got ${error.code}: ${error.message}`),
        );
      } finally {
        await closeQuietly("the receiver", receiver);
      }
    },
  );

  test(
    "max delivery count: abandoned 10 times (the default), the message lands in the dead-letter queue as MaxDeliveryCountExceeded",
    TEST_OPTIONS,
    async () => {
      const queue = uniqueName("sb-maxdelivery");
      await send(queue, { messageId: "m-1", body: "poison" });
      const receiver = peekLockReceiver(queue);
      const deadLetters = peekLockReceiver(queue, { subQueueType: "deadLetter" });
      try {
        // MaxDeliveryCount defaults to 10; each abandon counts a delivery.
        // https://learn.microsoft.com/en-us/azure/service-bus-messaging/service-bus-dead-letter-queues#maximum-delivery-count
        for (let delivery = 0; delivery < 10; delivery++) {
          const [message] = await receive(receiver, 1, `delivery ${delivery + 1}`);
          assert.equal(message.deliveryCount, delivery);
          await within("abandonMessage", receiver.abandonMessage(message));
        }
        assert.deepEqual(await within("peekMessages", receiver.peekMessages(10)), [], "gone from the queue");
        const [dead] = await receive(deadLetters, 1, "the message in the dead-letter queue");
        assert.equal(dead.messageId, "m-1");
        // The broker sets DeadLetterReason MaxDeliveryCountExceeded.
        // https://learn.microsoft.com/en-us/azure/service-bus-messaging/service-bus-dead-letter-queues#maximum-delivery-count
        assert.equal(dead.deadLetterReason, "MaxDeliveryCountExceeded");
        assert.ok(dead.deadLetterErrorDescription, "with a description");
        await within("completeMessage on the dead-letter queue", deadLetters.completeMessage(dead));
      } finally {
        await closeQuietly("the receivers", receiver, deadLetters);
      }
    },
  );

  test("receive-and-delete: messages are removed on delivery", TEST_OPTIONS, async () => {
    const queue = uniqueName("sb-receivedelete");
    await send(queue, [
      { messageId: "x-1", body: 1 },
      { messageId: "x-2", body: 2 },
    ]);
    const receiver = client.createReceiver(queue, { receiveMode: "receiveAndDelete" });
    try {
      const messages = await receive(receiver, 2);
      assert.deepEqual(
        messages.map((m) => m.body),
        [1, 2],
      );
      assert.ok(
        messages.every((m) => m.lockToken === undefined),
        "no locks in receive-and-delete mode",
      );
      // https://learn.microsoft.com/en-us/azure/service-bus-messaging/message-transfers-locks-settlement#receiveanddelete
      assert.deepEqual(await within("peekMessages", receiver.peekMessages(10)), []);
    } finally {
      await closeQuietly("the receiver", receiver);
    }
  });

  // Service Bus ends a client's links with its connection, and a connection with its transport: links exist only
  // within a session on a connection (AMQP 1.0, OASIS amqp-core, 2.1 and 2.6; "AMQP 1.0 in Azure Service Bus and
  // Event Hubs protocol guide", learn.microsoft.com/azure/service-bus-messaging/service-bus-amqp-protocol-guide,
  // "Connections and sessions", "Links"). So a receiver killed without closing anything is sent nothing more: what is
  // sent after it died goes to the receivers alive at once, not to the dead one's credit to wait out a lock (30 s).
  test(
    "a receiver killed without closing its link is sent nothing more: the next messages go to a live receiver",
    TEST_OPTIONS,
    async () => {
      const queue = uniqueName("sb-killed-receiver");
      const other = spawn(process.execPath, [fileURLToPath(new URL("./lib/killable-receiver.mjs", import.meta.url)), queue], {
        env: process.env,
        stdio: ["ignore", "pipe", "inherit"],
      });
      const exited = new Promise((resolve) => other.on("exit", resolve));
      let output = "";
      other.stdout.on("data", (chunk) => (output += chunk));
      try {
        await send(queue, { messageId: "probe", body: "probe" });
        await waitFor("the other process's receiver took and completed the probe", () => output.includes("ready"), 20_000);
        // Killed while busy: two messages locked by it, unsettled, and credit left for more.
        await send(queue, [
          { messageId: "held-1", body: "held-1" },
          { messageId: "held-2", body: "held-2" },
        ]);
        await waitFor("the other process holding two messages", () => output.includes("holding 2"));
        // And too busy to read its socket when it dies: what Service Bus sent it last is still unread there, so its
        // socket is reset rather than closed.
        other.kill("SIGSTOP");
        await send(queue, { messageId: "unread", body: "unread" });
      } finally {
        other.kill("SIGKILL");
      }
      await within("the killed receiver's process exiting", exited);

      await send(
        queue,
        ["after-1", "after-2", "after-3"].map((messageId) => ({ messageId, body: messageId })),
      );
      const receiver = peekLockReceiver(queue);
      try {
        // Within receive's 5 s: far less than the lock a delivery to the dead link would have to wait out.
        const received = await receive(receiver, 3);
        assert.deepEqual(received.map((m) => m.messageId).sort(), ["after-1", "after-2", "after-3"]);
        for (const message of received) {
          assert.equal(message.deliveryCount, 0, `${message.messageId} was delivered before, to the dead receiver`);
          await within("completeMessage", receiver.completeMessage(message));
        }
      } finally {
        await closeQuietly("the receiver", receiver);
      }
    },
  );
});
