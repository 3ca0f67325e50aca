// Watches sfcache's record events on an Event Hub and prints one line per event, as a consumer team would see them:
//   node src/test/node/conformance/watch-events.mjs "<Event Hubs connection string>" <hub> [--from-start] [--max N]
// Without --from-start it shows events published from now on; --max N stops after N events. Works against the
// local stand-in (the local run prints the command) and against a real namespace alike.
import { EventHubConsumerClient, earliestEventPosition, latestEventPosition } from "@azure/event-hubs";

const args = process.argv.slice(2);
const [connectionString, hub] = args.filter((a) => !a.startsWith("--"));
const fromStart = args.includes("--from-start");
const maxIndex = args.indexOf("--max");
const max = maxIndex >= 0 ? Number(args[maxIndex + 1]) : Infinity;
if (!connectionString || !hub) {
  console.error('usage: node watch-events.mjs "<connection string>" <hub> [--from-start] [--max N]');
  process.exit(2);
}

const client = new EventHubConsumerClient("$Default", connectionString, hub);
let seen = 0;
const subscription = client.subscribe(
  {
    processEvents: async (events, context) => {
      for (const event of events) {
        const body = typeof event.body === "string" || Buffer.isBuffer(event.body)
          ? String(event.body) : JSON.stringify(event.body);
        console.log(`partition ${context.partitionId} #${event.sequenceNumber} ${event.enqueuedTimeUtc.toISOString()} `
          + `${JSON.stringify(event.properties ?? {})} ${body}`);
        if (++seen >= max) {
          await subscription.close();
          await client.close();
          process.exit(0);
        }
      }
    },
    processError: async (error) => console.error(`error: ${error.message}`),
  },
  { startPosition: fromStart ? earliestEventPosition : latestEventPosition, maxWaitTimeInSeconds: 1 },
);
console.error(`watching ${hub} (${fromStart ? "from the start" : "from now on"}); Ctrl-C stops`);
process.on("SIGINT", async () => {
  await subscription.close();
  await client.close();
  process.exit(0);
});
