/** Publishes Contact changes to sfcache; all logic is in SfcacheTriggerHandler. */
trigger SfcacheContactTrigger on Contact(
  before delete,
  after insert,
  after update,
  after delete,
  after undelete
) {
  SfcacheTriggerHandler.handle();
}
