/** Publishes Account changes to sfcache; all logic is in SfcacheTriggerHandler. */
trigger SfcacheAccountTrigger on Account(
  before delete,
  after insert,
  after update,
  after delete,
  after undelete
) {
  SfcacheTriggerHandler.handle();
}
