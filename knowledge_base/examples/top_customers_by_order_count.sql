-- Question: Which customers placed the most orders?
-- Description: The 10 customers with the most orders in any status, with their first and latest order dates.
SELECT c.customer_id,
       c.name,
       c.segment,
       COUNT(*) AS orders,
       MIN(o.order_date) AS first_order_date,
       MAX(o.order_date) AS latest_order_date
FROM customers AS c
JOIN orders AS o ON o.customer_id = c.customer_id
GROUP BY c.customer_id, c.name, c.segment
ORDER BY orders DESC
LIMIT 10;
