"""The shop API's serializers: ``inputs`` (the website's JSON to typed requests) and ``outputs``
(orders and the catalogue as the website reads them, and their OpenAPI shapes)."""
