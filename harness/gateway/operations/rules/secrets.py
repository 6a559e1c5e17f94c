"""AWS Secrets Manager.

Most calls name one secret by SecretId, its name or its ARN; the Service Authorization
Reference's default binding fills the Secret type's ${SecretId} from it. A secret named by its
name is authorised on arn:…:secret:<name>: AWS authorises on the full ARN, whose last six
characters are random (`<name>-AbCdEf`), so a policy written for `secret:<name>-??????` or
`secret:<name>-*` matches there but not here — write `secret:<name>*` to match both.
https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
"""

from __future__ import annotations

from harness.gateway.operations.spec import ServiceSpec, Source

SECRETSMANAGER = ServiceSpec(
    botocore="secretsmanager",
    prefix="secretsmanager",
    # SecretId is a name or a full ARN; an ARN keeps its own account and suffix.
    arn_params={"SecretId": lambda value, env: value if value.startswith("arn:") else None},
    keys={
        "secretsmanager:SecretId": (Source("SecretId"),),
        "secretsmanager:VersionId": (Source("VersionId"),),
        "secretsmanager:VersionStage": (Source("VersionStage"),),
        "secretsmanager:Name": (Source("Name"),),
        "secretsmanager:Description": (Source("Description"),),
        "secretsmanager:KmsKeyId": (Source("KmsKeyId"),),
        "secretsmanager:RotationLambdaARN": (Source("RotationLambdaARN"),),
        "secretsmanager:ForceDeleteWithoutRecovery": (Source("ForceDeleteWithoutRecovery"),),
        "secretsmanager:RecoveryWindowInDays": (Source("RecoveryWindowInDays"),),
        "secretsmanager:BlockPublicPolicy": (Source("BlockPublicPolicy"),),
    },
)
