// A receiver in a process of its own, for servicebus.test.mjs to SIGKILL: it subscribes to the queue named by its
// argument with credit for 10 messages, completes the first message ("ready"), then holds every later one unsettled
// ("holding <n>"), as a consumer busy with its work does, until it is killed. Killed, it never closes its link or
// connection: its socket just ends, as when a pod is killed or its node is lost.
import { ServiceBusClient } from "@azure/service-bus";
import { connectionString } from "./messaging.mjs";

const client = new ServiceBusClient(connectionString("SERVICEBUS_CONNECTION_STRING"));
const receiver = client.createReceiver(process.argv[2], { receiveMode: "peekLock", maxAutoLockRenewalDurationInMs: 0 });
let held = 0;
receiver.subscribe(
  {
    async processMessage(message) {
      if (message.messageId === "probe") {
        await receiver.completeMessage(message);
        process.stdout.write("ready\n");
        return;
      }
      held++;
      process.stdout.write(`holding ${held}\n`);
      await new Promise(() => {});
    },
    async processError(args) {
      process.stderr.write(`killable receiver: ${args.error}\n`);
    },
  },
  { maxConcurrentCalls: 10, autoCompleteMessages: false },
);
