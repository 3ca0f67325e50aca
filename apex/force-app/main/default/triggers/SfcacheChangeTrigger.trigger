/** Hands the change references of committed saves to one SfcachePublishJob per batch; see SfcacheDispatcher. */
trigger SfcacheChangeTrigger on Sfcache_Change__e(after insert) {
  SfcacheDispatcher.dispatch(Trigger.new);
}
