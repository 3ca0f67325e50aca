/** Publishes Opportunity changes to sfcache; all logic is in SfcacheTriggerHandler. */
trigger SfcacheOpportunityTrigger on Opportunity(
  before delete,
  after insert,
  after update,
  after delete,
  after undelete
) {
  SfcacheTriggerHandler.handle();
}
