-- Question: How many orders are in each status?
-- Description: Order count per status with its share of all orders placed.
SELECT status,
       COUNT(*) AS orders,
       ROUND(100.0 * COUNT(*) / (SELECT COUNT(*) FROM orders), 2) AS pct_of_orders
FROM orders
GROUP BY status
ORDER BY orders DESC;
