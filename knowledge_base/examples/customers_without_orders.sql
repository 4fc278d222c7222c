-- Question: Which customers have never placed an order?
-- Description: Customers with no order at all, in any status, oldest sign-ups first.
SELECT c.customer_id,
       c.name,
       c.email,
       c.segment,
       c.signup_date
FROM customers AS c
WHERE NOT EXISTS (SELECT 1 FROM orders AS o WHERE o.customer_id = c.customer_id)
ORDER BY c.signup_date;
