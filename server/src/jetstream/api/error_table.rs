//! The JetStream API error catalogue: one entry per error Go's `server/errors.json` defines,
//! with its HTTP-like `code`, stable `err_code` and description template. Ordered by `err_code`.
//!
//! Variant names drop Go's `JS` prefix and `Err`/`ErrF`/`F` suffix (`JSStreamNameExistErr` is
//! [`ErrorId::StreamNameExist`]); [`ErrorId::constant`] gives the Go name back. A test compares
//! this table with Go's JSON when the Go source is at hand (`RNATS_GO_SRC`).

macro_rules! api_errors {
    ($($variant:ident = ($constant:literal, $code:literal, $err_code:literal, $desc:literal);)*) => {
        /// One entry of Go's JetStream error catalogue (`server/errors.json`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorId {
            $($variant,)*
        }

        impl ErrorId {
            /// Every entry, ordered by `err_code`.
            pub const ALL: &'static [ErrorId] = &[$(ErrorId::$variant,)*];

            /// (Go constant, code, err_code, description template).
            pub(super) const fn entry(self) -> (&'static str, u16, u16, &'static str) {
                match self {
                    $(ErrorId::$variant => ($constant, $code, $err_code, $desc),)*
                }
            }
        }
    };
}

api_errors! {
    AccountResourcesExceeded = ("JSAccountResourcesExceededErr", 400, 10002, "resource limits exceeded for account");
    BadRequest = ("JSBadRequestErr", 400, 10003, "bad request");
    ClusterIncomplete = ("JSClusterIncompleteErr", 503, 10004, "incomplete results");
    ClusterNoPeers = ("JSClusterNoPeersErrF", 400, 10005, "{err}");
    ClusterNotActive = ("JSClusterNotActiveErr", 500, 10006, "JetStream not in clustered mode");
    ClusterNotAssigned = ("JSClusterNotAssignedErr", 500, 10007, "JetStream cluster not assigned to this server");
    ClusterNotAvail = ("JSClusterNotAvailErr", 503, 10008, "JetStream system temporarily unavailable");
    ClusterNotLeader = ("JSClusterNotLeaderErr", 500, 10009, "JetStream cluster can not handle request");
    ClusterRequired = ("JSClusterRequiredErr", 503, 10010, "JetStream clustering support required");
    ClusterTags = ("JSClusterTagsErr", 400, 10011, "tags placement not supported for operation");
    ConsumerCreate = ("JSConsumerCreateErrF", 500, 10012, "{err}");
    ConsumerNameExist = ("JSConsumerNameExistErr", 400, 10013, "consumer name already in use");
    ConsumerNotFound = ("JSConsumerNotFoundErr", 404, 10014, "consumer not found");
    SnapshotDeliverSubjectInvalid = ("JSSnapshotDeliverSubjectInvalidErr", 400, 10015, "deliver subject not valid");
    ConsumerDurableNameNotInSubject = ("JSConsumerDurableNameNotInSubjectErr", 400, 10016, "consumer expected to be durable but no durable name set in subject");
    ConsumerDurableNameNotMatchSubject = ("JSConsumerDurableNameNotMatchSubjectErr", 400, 10017, "consumer name in subject does not match durable name in request");
    ConsumerDurableNameNotSet = ("JSConsumerDurableNameNotSetErr", 400, 10018, "consumer expected to be durable but a durable name was not set");
    ConsumerEphemeralWithDurableInSubject = ("JSConsumerEphemeralWithDurableInSubjectErr", 400, 10019, "consumer expected to be ephemeral but detected a durable name set in subject");
    ConsumerEphemeralWithDurableName = ("JSConsumerEphemeralWithDurableNameErr", 400, 10020, "consumer expected to be ephemeral but a durable name was set in request");
    StreamExternalApiOverlap = ("JSStreamExternalApiOverlapErrF", 400, 10021, "stream external api prefix {prefix} must not overlap with {subject}");
    StreamExternalDelPrefixOverlaps = ("JSStreamExternalDelPrefixOverlapsErrF", 400, 10022, "stream external delivery prefix {prefix} overlaps with stream subject {subject}");
    InsufficientResources = ("JSInsufficientResourcesErr", 503, 10023, "insufficient resources");
    StreamInvalidExternalDeliverySubj = ("JSStreamInvalidExternalDeliverySubjErrF", 400, 10024, "stream external delivery prefix {prefix} must not contain wildcards");
    InvalidJSON = ("JSInvalidJSONErr", 400, 10025, "invalid JSON: {err}");
    MaximumConsumersLimit = ("JSMaximumConsumersLimitErr", 400, 10026, "maximum consumers limit reached");
    MaximumStreamsLimit = ("JSMaximumStreamsLimitErr", 400, 10027, "maximum number of streams reached");
    MemoryResourcesExceeded = ("JSMemoryResourcesExceededErr", 500, 10028, "insufficient memory resources available");
    MirrorConsumerSetupFailed = ("JSMirrorConsumerSetupFailedErrF", 500, 10029, "{err}");
    MirrorMaxMessageSizeTooBig = ("JSMirrorMaxMessageSizeTooBigErr", 400, 10030, "stream mirror must have max message size >= source");
    MirrorWithSources = ("JSMirrorWithSourcesErr", 400, 10031, "stream mirrors can not also contain other sources");
    MirrorWithStartSeqAndTime = ("JSMirrorWithStartSeqAndTimeErr", 400, 10032, "stream mirrors can not have both start seq and start time configured");
    MirrorWithSubjectFilters = ("JSMirrorWithSubjectFiltersErr", 400, 10033, "stream mirrors can not contain filtered subjects");
    MirrorWithSubjects = ("JSMirrorWithSubjectsErr", 400, 10034, "stream mirrors can not contain subjects");
    NoAccount = ("JSNoAccountErr", 503, 10035, "account not found");
    ClusterUnSupportFeature = ("JSClusterUnSupportFeatureErr", 503, 10036, "not currently supported in clustered mode");
    NoMessageFound = ("JSNoMessageFoundErr", 404, 10037, "no message found");
    NotEmptyRequest = ("JSNotEmptyRequestErr", 400, 10038, "expected an empty request payload");
    NotEnabledForAccount = ("JSNotEnabledForAccountErr", 503, 10039, "JetStream not enabled for account");
    ClusterPeerNotMember = ("JSClusterPeerNotMemberErr", 400, 10040, "peer not a member");
    RaftGeneral = ("JSRaftGeneralErrF", 500, 10041, "{err}");
    RestoreSubscribeFailed = ("JSRestoreSubscribeFailedErrF", 500, 10042, "JetStream unable to subscribe to restore snapshot {subject}: {err}");
    SequenceNotFound = ("JSSequenceNotFoundErrF", 400, 10043, "sequence {seq} not found");
    ClusterServerNotMember = ("JSClusterServerNotMemberErr", 400, 10044, "server is not a member of the cluster");
    SourceConsumerSetupFailed = ("JSSourceConsumerSetupFailedErrF", 500, 10045, "{err}");
    SourceMaxMessageSizeTooBig = ("JSSourceMaxMessageSizeTooBigErr", 400, 10046, "stream source must have max message size >= target");
    StorageResourcesExceeded = ("JSStorageResourcesExceededErr", 500, 10047, "insufficient storage resources available");
    StreamAssignment = ("JSStreamAssignmentErrF", 500, 10048, "{err}");
    StreamCreate = ("JSStreamCreateErrF", 500, 10049, "{err}");
    StreamDelete = ("JSStreamDeleteErrF", 500, 10050, "{err}");
    StreamGeneralError = ("JSStreamGeneralErrorF", 500, 10051, "{err}");
    StreamInvalidConfig = ("JSStreamInvalidConfigF", 500, 10052, "{err}");
    StreamLimits = ("JSStreamLimitsErrF", 500, 10053, "{err}");
    StreamMessageExceedsMaximum = ("JSStreamMessageExceedsMaximumErr", 400, 10054, "message size exceeds maximum allowed");
    StreamMirrorNotUpdatable = ("JSStreamMirrorNotUpdatableErr", 400, 10055, "stream mirror configuration can not be updated");
    StreamMismatch = ("JSStreamMismatchErr", 400, 10056, "stream name in subject does not match request");
    StreamMsgDeleteFailed = ("JSStreamMsgDeleteFailedF", 500, 10057, "{err}");
    StreamNameExist = ("JSStreamNameExistErr", 400, 10058, "stream name already in use with a different configuration");
    StreamNotFound = ("JSStreamNotFoundErr", 404, 10059, "stream not found");
    StreamNotMatch = ("JSStreamNotMatchErr", 400, 10060, "expected stream does not match");
    StreamReplicasNotUpdatable = ("JSStreamReplicasNotUpdatableErr", 400, 10061, "Replicas configuration can not be updated");
    StreamRestore = ("JSStreamRestoreErrF", 500, 10062, "restore failed: {err}");
    StreamSequenceNotMatch = ("JSStreamSequenceNotMatchErr", 503, 10063, "expected stream sequence does not match");
    StreamSnapshot = ("JSStreamSnapshotErrF", 500, 10064, "snapshot failed: {err}");
    StreamSubjectOverlap = ("JSStreamSubjectOverlapErr", 400, 10065, "subjects overlap with an existing stream");
    StreamTemplateCreate = ("JSStreamTemplateCreateErrF", 500, 10066, "{err}");
    StreamTemplateDelete = ("JSStreamTemplateDeleteErrF", 500, 10067, "{err}");
    StreamTemplateNotFound = ("JSStreamTemplateNotFoundErr", 404, 10068, "template not found");
    StreamUpdate = ("JSStreamUpdateErrF", 500, 10069, "{err}");
    StreamWrongLastMsgID = ("JSStreamWrongLastMsgIDErrF", 400, 10070, "wrong last msg ID: {id}");
    StreamWrongLastSequence = ("JSStreamWrongLastSequenceErrF", 400, 10071, "wrong last sequence: {seq}");
    TempStorageFailed = ("JSTempStorageFailedErr", 500, 10072, "JetStream unable to open temp storage for restore");
    TemplateNameNotMatchSubject = ("JSTemplateNameNotMatchSubjectErr", 400, 10073, "template name in subject does not match request");
    StreamReplicasNotSupported = ("JSStreamReplicasNotSupportedErr", 500, 10074, "replicas > 1 not supported in non-clustered mode");
    PeerRemap = ("JSPeerRemapErr", 503, 10075, "peer remap failed");
    NotEnabled = ("JSNotEnabledErr", 503, 10076, "JetStream not enabled");
    StreamStoreFailed = ("JSStreamStoreFailedF", 503, 10077, "{err}");
    ConsumerConfigRequired = ("JSConsumerConfigRequiredErr", 400, 10078, "consumer config required");
    ConsumerDeliverToWildcards = ("JSConsumerDeliverToWildcardsErr", 400, 10079, "consumer deliver subject has wildcards");
    ConsumerPushMaxWaiting = ("JSConsumerPushMaxWaitingErr", 400, 10080, "consumer in push mode can not set max waiting");
    ConsumerDeliverCycle = ("JSConsumerDeliverCycleErr", 400, 10081, "consumer deliver subject forms a cycle");
    ConsumerMaxPendingAckPolicyRequired = ("JSConsumerMaxPendingAckPolicyRequiredErr", 400, 10082, "consumer requires ack policy for max ack pending");
    ConsumerSmallHeartbeat = ("JSConsumerSmallHeartbeatErr", 400, 10083, "consumer idle heartbeat needs to be >= 100ms");
    ConsumerPullRequiresAck = ("JSConsumerPullRequiresAckErr", 400, 10084, "consumer in pull mode requires explicit ack policy on workqueue stream");
    ConsumerPullNotDurable = ("JSConsumerPullNotDurableErr", 400, 10085, "consumer in pull mode requires a durable name");
    ConsumerPullWithRateLimit = ("JSConsumerPullWithRateLimitErr", 400, 10086, "consumer in pull mode can not have rate limit set");
    ConsumerMaxWaitingNegative = ("JSConsumerMaxWaitingNegativeErr", 400, 10087, "consumer max waiting needs to be positive");
    ConsumerHBRequiresPush = ("JSConsumerHBRequiresPushErr", 400, 10088, "consumer idle heartbeat requires a push based consumer");
    ConsumerFCRequiresPush = ("JSConsumerFCRequiresPushErr", 400, 10089, "consumer flow control requires a push based consumer");
    ConsumerDirectRequiresPush = ("JSConsumerDirectRequiresPushErr", 400, 10090, "consumer direct requires a push based consumer");
    ConsumerDirectRequiresEphemeral = ("JSConsumerDirectRequiresEphemeralErr", 400, 10091, "consumer direct requires an ephemeral consumer");
    ConsumerOnMapped = ("JSConsumerOnMappedErr", 400, 10092, "consumer direct on a mapped consumer");
    ConsumerFilterNotSubset = ("JSConsumerFilterNotSubsetErr", 400, 10093, "consumer filter subject is not a valid subset of the interest subjects");
    ConsumerInvalidPolicy = ("JSConsumerInvalidPolicyErrF", 400, 10094, "{err}");
    ConsumerInvalidSampling = ("JSConsumerInvalidSamplingErrF", 400, 10095, "failed to parse consumer sampling configuration: {err}");
    StreamInvalid = ("JSStreamInvalidErr", 500, 10096, "stream not valid");
    StreamHeaderExceedsMaximum = ("JSStreamHeaderExceedsMaximumErr", 400, 10097, "header size exceeds maximum allowed of 64k");
    ConsumerWQRequiresExplicitAck = ("JSConsumerWQRequiresExplicitAckErr", 400, 10098, "workqueue stream requires explicit ack");
    ConsumerWQMultipleUnfiltered = ("JSConsumerWQMultipleUnfilteredErr", 400, 10099, "multiple non-filtered consumers not allowed on workqueue stream");
    ConsumerWQConsumerNotUnique = ("JSConsumerWQConsumerNotUniqueErr", 400, 10100, "filtered consumer not unique on workqueue stream");
    ConsumerWQConsumerNotDeliverAll = ("JSConsumerWQConsumerNotDeliverAllErr", 400, 10101, "consumer must be deliver all on workqueue stream");
    ConsumerNameTooLong = ("JSConsumerNameTooLongErrF", 400, 10102, "consumer name is too long, maximum allowed is {max}");
    ConsumerBadDurableName = ("JSConsumerBadDurableNameErr", 400, 10103, "durable name can not contain '.', '*', '>'");
    ConsumerStoreFailed = ("JSConsumerStoreFailedErrF", 500, 10104, "error creating store for consumer: {err}");
    ConsumerExistingActive = ("JSConsumerExistingActiveErr", 400, 10105, "consumer already exists and is still active");
    ConsumerReplacementWithDifferentName = ("JSConsumerReplacementWithDifferentNameErr", 400, 10106, "consumer replacement durable config not the same");
    ConsumerDescriptionTooLong = ("JSConsumerDescriptionTooLongErrF", 400, 10107, "consumer description is too long, maximum allowed is {max}");
    ConsumerWithFlowControlNeedsHeartbeats = ("JSConsumerWithFlowControlNeedsHeartbeats", 400, 10108, "consumer with flow control also needs heartbeats");
    StreamSealed = ("JSStreamSealedErr", 400, 10109, "invalid operation on sealed stream");
    StreamPurgeFailed = ("JSStreamPurgeFailedF", 500, 10110, "{err}");
    StreamRollupFailed = ("JSStreamRollupFailedF", 500, 10111, "{err}");
    ConsumerInvalidDeliverSubject = ("JSConsumerInvalidDeliverSubject", 400, 10112, "invalid push consumer deliver subject");
    StreamMaxBytesRequired = ("JSStreamMaxBytesRequired", 400, 10113, "account requires a stream config to have max bytes set");
    ConsumerMaxRequestBatchNegative = ("JSConsumerMaxRequestBatchNegativeErr", 400, 10114, "consumer max request batch needs to be > 0");
    ConsumerMaxRequestExpiresTooSmall = ("JSConsumerMaxRequestExpiresTooSmall", 400, 10115, "consumer max request expires needs to be >= 1ms");
    ConsumerMaxDeliverBackoff = ("JSConsumerMaxDeliverBackoffErr", 400, 10116, "max deliver is required to be > length of backoff values");
    StreamInfoMaxSubjects = ("JSStreamInfoMaxSubjectsErr", 500, 10117, "subject details would exceed maximum allowed");
    StreamOffline = ("JSStreamOfflineErr", 500, 10118, "stream is offline");
    ConsumerOffline = ("JSConsumerOfflineErr", 500, 10119, "consumer is offline");
    NoLimits = ("JSNoLimitsErr", 400, 10120, "no JetStream default or applicable tiered limit present");
    ConsumerMaxPendingAckExcess = ("JSConsumerMaxPendingAckExcessErrF", 400, 10121, "consumer max ack pending exceeds system limit of {limit}");
    StreamMaxStreamBytesExceeded = ("JSStreamMaxStreamBytesExceeded", 400, 10122, "stream max bytes exceeds account limit max stream bytes");
    StreamMoveAndScale = ("JSStreamMoveAndScaleErr", 400, 10123, "can not move and scale a stream in a single update");
    StreamMoveInProgress = ("JSStreamMoveInProgressErr", 400, 10124, "stream move already in progress");
    ConsumerMaxRequestBatchExceeded = ("JSConsumerMaxRequestBatchExceededF", 400, 10125, "consumer max request batch exceeds server limit of {limit}");
    ConsumerReplicasExceedsStream = ("JSConsumerReplicasExceedsStream", 400, 10126, "consumer config replica count exceeds parent stream");
    ConsumerNameContainsPathSeparators = ("JSConsumerNameContainsPathSeparatorsErr", 400, 10127, "Consumer name can not contain path separators");
    StreamNameContainsPathSeparators = ("JSStreamNameContainsPathSeparatorsErr", 400, 10128, "Stream name can not contain path separators");
    StreamReconfigureNotInProgress = ("JSStreamReconfigureNotInProgressErr", 400, 10129, "stream reconfiguration not in progress");
    StreamNameExistRestoreFailed = ("JSStreamNameExistRestoreFailedErr", 400, 10130, "stream name already in use, cannot restore");
    ConsumerCreateFilterSubjectMismatch = ("JSConsumerCreateFilterSubjectMismatchErr", 400, 10131, "Consumer create request did not match filtered subject from create subject");
    ConsumerCreateDurableAndNameMismatch = ("JSConsumerCreateDurableAndNameMismatch", 400, 10132, "Consumer Durable and Name have to be equal if both are provided");
    ReplicasCountCannotBeNegative = ("JSReplicasCountCannotBeNegative", 400, 10133, "replicas count cannot be negative");
    ConsumerReplicasShouldMatchStream = ("JSConsumerReplicasShouldMatchStream", 400, 10134, "consumer config replicas must match interest retention stream's replicas");
    ConsumerMetadataLength = ("JSConsumerMetadataLengthErrF", 400, 10135, "consumer metadata exceeds maximum size of {limit}");
    ConsumerDuplicateFilterSubjects = ("JSConsumerDuplicateFilterSubjects", 400, 10136, "consumer cannot have both FilterSubject and FilterSubjects specified");
    ConsumerMultipleFiltersNotAllowed = ("JSConsumerMultipleFiltersNotAllowed", 400, 10137, "consumer with multiple subject filters cannot use subject based API");
    ConsumerOverlappingSubjectFilters = ("JSConsumerOverlappingSubjectFilters", 400, 10138, "consumer subject filters cannot overlap");
    ConsumerEmptyFilter = ("JSConsumerEmptyFilter", 400, 10139, "consumer filter in FilterSubjects cannot be empty");
    SourceDuplicateDetected = ("JSSourceDuplicateDetected", 400, 10140, "duplicate source configuration detected");
    SourceInvalidStreamName = ("JSSourceInvalidStreamName", 400, 10141, "sourced stream name is invalid");
    MirrorInvalidStreamName = ("JSMirrorInvalidStreamName", 400, 10142, "mirrored stream name is invalid");
    MirrorWithFirstSeq = ("JSMirrorWithFirstSeqErr", 400, 10143, "stream mirrors can not have first sequence configured");
    SourceMultipleFiltersNotAllowed = ("JSSourceMultipleFiltersNotAllowed", 400, 10144, "source with multiple subject transforms cannot also have a single subject filter");
    SourceInvalidSubjectFilter = ("JSSourceInvalidSubjectFilter", 400, 10145, "source transform source: {err}");
    SourceInvalidTransformDestination = ("JSSourceInvalidTransformDestination", 400, 10146, "source transform: {err}");
    SourceOverlappingSubjectFilters = ("JSSourceOverlappingSubjectFilters", 400, 10147, "source filters can not overlap");
    ConsumerAlreadyExists = ("JSConsumerAlreadyExists", 400, 10148, "consumer already exists");
    ConsumerDoesNotExist = ("JSConsumerDoesNotExist", 400, 10149, "consumer does not exist");
    MirrorMultipleFiltersNotAllowed = ("JSMirrorMultipleFiltersNotAllowed", 400, 10150, "mirror with multiple subject transforms cannot also have a single subject filter");
    MirrorInvalidSubjectFilter = ("JSMirrorInvalidSubjectFilter", 400, 10151, "mirror transform source: {err}");
    MirrorOverlappingSubjectFilters = ("JSMirrorOverlappingSubjectFilters", 400, 10152, "mirror subject filters can not overlap");
    ConsumerInactiveThresholdExcess = ("JSConsumerInactiveThresholdExcess", 400, 10153, "consumer inactive threshold exceeds system limit of {limit}");
    MirrorInvalidTransformDestination = ("JSMirrorInvalidTransformDestination", 400, 10154, "mirror transform: {err}");
    StreamTransformInvalidSource = ("JSStreamTransformInvalidSource", 400, 10155, "stream transform source: {err}");
    StreamTransformInvalidDestination = ("JSStreamTransformInvalidDestination", 400, 10156, "stream transform: {err}");
    Pedantic = ("JSPedanticErrF", 400, 10157, "pedantic mode: {err}");
    StreamDuplicateMessageConflict = ("JSStreamDuplicateMessageConflict", 409, 10158, "duplicate message id is in process");
    ConsumerPriorityPolicyWithoutGroup = ("JSConsumerPriorityPolicyWithoutGroup", 400, 10159, "Setting PriorityPolicy requires at least one PriorityGroup to be set");
    ConsumerInvalidPriorityGroup = ("JSConsumerInvalidPriorityGroupErr", 400, 10160, "Provided priority group does not exist for this consumer");
    ConsumerEmptyGroupName = ("JSConsumerEmptyGroupName", 400, 10161, "Group name cannot be an empty string");
    ConsumerInvalidGroupName = ("JSConsumerInvalidGroupNameErr", 400, 10162, "Valid priority group name must match A-Z, a-z, 0-9, -_/=)+ and may not exceed 16 characters");
    StreamExpectedLastSeqPerSubjectNotReady = ("JSStreamExpectedLastSeqPerSubjectNotReady", 503, 10163, "expected last sequence per subject temporarily unavailable");
    StreamWrongLastSequenceConstant = ("JSStreamWrongLastSequenceConstantErr", 400, 10164, "wrong last sequence");
    MessageTTLInvalid = ("JSMessageTTLInvalidErr", 400, 10165, "invalid per-message TTL");
    MessageTTLDisabled = ("JSMessageTTLDisabledErr", 400, 10166, "per-message TTL is disabled");
    StreamTooManyRequests = ("JSStreamTooManyRequests", 429, 10167, "too many requests");
    MessageIncrDisabled = ("JSMessageIncrDisabledErr", 400, 10168, "message counters is disabled");
    MessageIncrMissing = ("JSMessageIncrMissingErr", 400, 10169, "message counter increment is missing");
    MessageIncrPayload = ("JSMessageIncrPayloadErr", 400, 10170, "message counter has payload");
    MessageIncrInvalid = ("JSMessageIncrInvalidErr", 400, 10171, "message counter increment is invalid");
    MessageCounterBroken = ("JSMessageCounterBrokenErr", 400, 10172, "message counter is broken");
    MirrorWithCounters = ("JSMirrorWithCountersErr", 400, 10173, "stream mirrors can not also calculate counters");
    AtomicPublishDisabled = ("JSAtomicPublishDisabledErr", 400, 10174, "atomic publish is disabled");
    AtomicPublishMissingSeq = ("JSAtomicPublishMissingSeqErr", 400, 10175, "atomic publish sequence is missing");
    AtomicPublishIncompleteBatch = ("JSAtomicPublishIncompleteBatchErr", 400, 10176, "atomic publish batch is incomplete");
    AtomicPublishUnsupportedHeaderBatch = ("JSAtomicPublishUnsupportedHeaderBatchErr", 400, 10177, "atomic publish unsupported header used: {header}");
    ConsumerPushWithPriorityGroup = ("JSConsumerPushWithPriorityGroupErr", 400, 10178, "priority groups can not be used with push consumers");
    AtomicPublishInvalidBatchID = ("JSAtomicPublishInvalidBatchIDErr", 400, 10179, "atomic publish batch ID is invalid");
    StreamMinLastSeq = ("JSStreamMinLastSeqErr", 412, 10180, "min last sequence");
    ConsumerAckPolicyInvalid = ("JSConsumerAckPolicyInvalidErr", 400, 10181, "consumer ack policy invalid");
    ConsumerReplayPolicyInvalid = ("JSConsumerReplayPolicyInvalidErr", 400, 10182, "consumer replay policy invalid");
    ConsumerAckWaitNegative = ("JSConsumerAckWaitNegativeErr", 400, 10183, "consumer ack wait needs to be positive");
    ConsumerBackOffNegative = ("JSConsumerBackOffNegativeErr", 400, 10184, "consumer backoff needs to be positive");
    RequiredApiLevel = ("JSRequiredApiLevelErr", 412, 10185, "JetStream minimum api level required");
    MirrorWithMsgSchedules = ("JSMirrorWithMsgSchedulesErr", 400, 10186, "stream mirrors can not also schedule messages");
    SourceWithMsgSchedules = ("JSSourceWithMsgSchedulesErr", 400, 10187, "stream source can not also schedule messages");
    MessageSchedulesDisabled = ("JSMessageSchedulesDisabledErr", 400, 10188, "message schedules is disabled");
    MessageSchedulesPatternInvalid = ("JSMessageSchedulesPatternInvalidErr", 400, 10189, "message schedules pattern is invalid");
    MessageSchedulesTargetInvalid = ("JSMessageSchedulesTargetInvalidErr", 400, 10190, "message schedules target is invalid");
    MessageSchedulesTTLInvalid = ("JSMessageSchedulesTTLInvalidErr", 400, 10191, "message schedules invalid per-message TTL");
    MessageSchedulesRollupInvalid = ("JSMessageSchedulesRollupInvalidErr", 400, 10192, "message schedules invalid rollup");
    StreamExpectedLastSeqPerSubjectInvalid = ("JSStreamExpectedLastSeqPerSubjectInvalid", 400, 10193, "missing sequence for expected last sequence per subject");
    StreamOfflineReason = ("JSStreamOfflineReasonErrF", 500, 10194, "stream is offline: {err}");
    ConsumerOfflineReason = ("JSConsumerOfflineReasonErrF", 500, 10195, "consumer is offline: {err}");
    ConsumerPriorityGroupWithPolicyNone = ("JSConsumerPriorityGroupWithPolicyNone", 400, 10196, "consumer can not have priority groups when policy is none");
    ConsumerPinnedTTLWithoutPriorityPolicyNone = ("JSConsumerPinnedTTLWithoutPriorityPolicyNone", 400, 10197, "PinnedTTL cannot be set when PriorityPolicy is none");
    MirrorWithAtomicPublish = ("JSMirrorWithAtomicPublishErr", 400, 10198, "stream mirrors can not also use atomic publishing");
    AtomicPublishTooLargeBatch = ("JSAtomicPublishTooLargeBatchErrF", 400, 10199, "atomic publish batch is too large: {size}");
    AtomicPublishInvalidBatchCommit = ("JSAtomicPublishInvalidBatchCommitErr", 400, 10200, "atomic publish batch commit is invalid");
    AtomicPublishContainsDuplicateMessage = ("JSAtomicPublishContainsDuplicateMessageErr", 400, 10201, "atomic publish batch contains duplicate message id");
    ClusterServerMemberChangeInflight = ("JSClusterServerMemberChangeInflightErr", 400, 10202, "cluster member change is in progress");
    MessageSchedulesSourceInvalid = ("JSMessageSchedulesSourceInvalidErr", 400, 10203, "message schedules source is invalid");
    ConsumerInvalidReset = ("JSConsumerInvalidResetErr", 400, 10204, "invalid reset: {err}");
    BatchPublishDisabled = ("JSBatchPublishDisabledErr", 400, 10205, "batch publish is disabled");
    BatchPublishInvalidPattern = ("JSBatchPublishInvalidPatternErr", 400, 10206, "batch publish pattern is invalid");
    BatchPublishInvalidBatchID = ("JSBatchPublishInvalidBatchIDErr", 400, 10207, "batch publish ID is invalid");
    BatchPublishUnknownBatchID = ("JSBatchPublishUnknownBatchIDErr", 400, 10208, "batch publish ID unknown");
    MirrorWithBatchPublish = ("JSMirrorWithBatchPublishErr", 400, 10209, "stream mirrors can not also use batch publishing");
    AtomicPublishTooManyInflight = ("JSAtomicPublishTooManyInflight", 429, 10210, "atomic publish too many inflight");
    BatchPublishTooManyInflight = ("JSBatchPublishTooManyInflight", 429, 10211, "batch publish too many inflight");
    MessageSchedulesSchedulerInvalid = ("JSMessageSchedulesSchedulerInvalidErr", 400, 10212, "message schedules invalid scheduler");
    MirrorDurableConsumerCfgInvalid = ("JSMirrorDurableConsumerCfgInvalid", 400, 10213, "stream mirror consumer config is invalid");
    MirrorConsumerRequiresAckFC = ("JSMirrorConsumerRequiresAckFCErr", 400, 10214, "stream mirror consumer requires flow control ack policy");
    SourceDurableConsumerCfgInvalid = ("JSSourceDurableConsumerCfgInvalid", 400, 10215, "stream source consumer config is invalid");
    SourceDurableConsumerDuplicateDetected = ("JSSourceDurableConsumerDuplicateDetected", 400, 10216, "duplicate stream source consumer detected");
    SourceConsumerRequiresAckFC = ("JSSourceConsumerRequiresAckFCErr", 400, 10217, "stream source consumer requires flow control ack policy");
    ConsumerAckFCRequiresPush = ("JSConsumerAckFCRequiresPushErr", 400, 10218, "flow control ack policy requires a push based consumer");
    ConsumerAckFCRequiresFC = ("JSConsumerAckFCRequiresFCErr", 400, 10219, "flow control ack policy requires flow control");
    ConsumerAckFCRequiresMaxAckPending = ("JSConsumerAckFCRequiresMaxAckPendingErr", 400, 10220, "flow control ack policy requires max ack pending");
    ConsumerAckFCRequiresNoAckWait = ("JSConsumerAckFCRequiresNoAckWaitErr", 400, 10221, "flow control ack policy requires unset ack wait");
    ConsumerAckFCRequiresNoMaxDeliver = ("JSConsumerAckFCRequiresNoMaxDeliverErr", 400, 10222, "flow control ack policy requires unset max deliver");
    MessageSchedulesTimeZoneInvalid = ("JSMessageSchedulesTimeZoneInvalidErr", 400, 10223, "message schedules time zone is invalid");
    ClusterRescue = ("JSClusterRescueErr", 400, 10224, "JetStream system rescue not applied: {err}");
    ConsumerStreamIdentityMismatch = ("JSConsumerStreamIdentityMismatchF", 400, 10225, "consumer's stream identity does not match: {msg}");
    StreamReconfigureInProgress = ("JSStreamReconfigureInProgressErr", 400, 10226, "stream reconfiguration already in progress");
    MessageSourceHdrNotAllowed = ("JSMessageSourceHdrNotAllowedErr", 400, 10227, "message stream source header is not allowed");
}
